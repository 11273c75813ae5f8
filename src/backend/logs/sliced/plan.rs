//! Where a history read is cut into time slices. The first page of a log group (read anyway)
//! tells how dense it is: the rest of the range is cut into slices of about
//! [`PAGES_PER_SLICE`] pages each, so a small read costs what a serial one does (one call)
//! and a big one gives the readers enough independent work to fill the quota.

/// Pages each slice should hold, by the first page's density.
pub const PAGES_PER_SLICE: f64 = 2.0;
/// Slices per log group at most.
pub const MAX_SLICES: usize = 64;
/// Slices when the first page was empty but not the last (the service is still scanning).
pub const BLIND_SLICES: usize = 8;

/// How many slices the rest of the range `[from, to]` needs, when one page's events spanned
/// `covered_ms` of time.
pub fn count(covered_ms: i64, from: i64, to: i64) -> usize {
    let rest = to.saturating_sub(from).saturating_add(1);
    if rest <= 1 {
        return 1;
    }
    let wanted = if covered_ms <= 0 {
        MAX_SLICES
    } else {
        #[allow(clippy::cast_precision_loss)]
        let pages = rest as f64 / covered_ms as f64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = (pages / PAGES_PER_SLICE).ceil() as usize;
        n.clamp(1, MAX_SLICES)
    };
    wanted.min(usize::try_from(rest).unwrap_or(usize::MAX))
}

/// `n` slices of `[from, to]` (inclusive, in ms) of equal width, each `(start, end)` with both
/// ends inclusive as FilterLogEvents takes them. The last one ends at `end`: None leaves it
/// open, so events written while reading are not cut off.
pub fn split(from: i64, to: i64, end: Option<i64>, n: usize) -> Vec<(i64, Option<i64>)> {
    let n = i64::try_from(n.max(1)).unwrap_or(1);
    let width = to.saturating_sub(from).saturating_add(1).max(1);
    let n = n.min(width);
    let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for i in 0..n {
        let start = from + width * i / n;
        let stop = if i + 1 == n {
            end
        } else {
            Some(from + width * (i + 1) / n - 1)
        };
        out.push((start, stop));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_tile_the_range_without_gap_or_overlap() {
        for (from, to, n) in [(0, 99, 4), (0, 100, 3), (5, 5, 8), (0, 9, 64), (-50, 49, 7)] {
            let s = split(from, to, Some(to), n);
            assert_eq!(s.first().map(|x| x.0), Some(from));
            assert_eq!(s.last().and_then(|x| x.1), Some(to));
            for w in s.windows(2) {
                let end = w[0].1.expect("inner slices are closed");
                assert_eq!(end + 1, w[1].0, "{s:?}");
                assert!(w[0].0 <= end, "{s:?}");
            }
            // Never more slices than milliseconds.
            assert!(s.len() <= usize::try_from(to - from + 1).unwrap_or(0));
        }
        assert_eq!(
            split(0, 99, Some(99), 4),
            [
                (0, Some(24)),
                (25, Some(49)),
                (50, Some(74)),
                (75, Some(99))
            ]
        );
        // An open end stays open on the last slice only.
        assert_eq!(split(0, 9, None, 2), [(0, Some(4)), (5, None)]);
        assert_eq!(split(3, 3, None, 1), [(3, None)]);
    }

    #[test]
    fn the_count_follows_the_first_pages_density() {
        // A page covered 100 ms; 1,000 ms remain: 10 pages, 5 slices of 2.
        assert_eq!(count(100, 0, 999), 5);
        // Sparse: the rest fits in a page or two.
        assert_eq!(count(10_000, 0, 999), 1);
        // A whole page in one millisecond: as many slices as allowed, no more than ms.
        assert_eq!(count(0, 0, 999_999), MAX_SLICES);
        assert_eq!(count(0, 0, 9), 10);
        assert_eq!(count(1, 7, 7), 1);
        assert_eq!(count(1, 10, 5), 1, "nothing left");
    }
}
