//! A sparkline as text (`▁▂▃▅▇`), so it fits in a table cell and in any terminal font.

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as bars scaled to the largest; a gap (no data) is a space.
pub fn spark(values: &[Option<f64>], width: usize) -> String {
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail.iter().flatten().copied().fold(0.0_f64, f64::max);
    tail.iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if max <= 0.0 => BARS[0],
            Some(v) => {
                let level = (v.max(0.0) / max * 7.0).round();
                // 0..=7 by construction.
                BARS[(level as usize).min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_to_the_largest_and_keeps_gaps() {
        let v = [Some(0.0), Some(50.0), None, Some(100.0)];
        assert_eq!(spark(&v, 10), "▁▅ █");
        assert_eq!(spark(&v, 2), " █");
        assert_eq!(spark(&[Some(0.0), Some(0.0)], 5), "▁▁");
        assert_eq!(spark(&[], 5), "");
    }
}
