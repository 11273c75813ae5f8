//! Reusable pieces without I/O: the status line, text inputs (palette, filter, arm prompt),
//! the command palette, the help overlay, the arm and confirm modals, the message history and
//! a text sparkline. Each holds its state (if any) and renders from a borrow.

pub mod alarm_overlay;
pub mod arm;
pub mod chart;
pub mod confirm;
pub mod help;
pub mod messages;
pub mod palette;
pub mod sparkline;
pub mod status_line;
pub mod text_input;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Widget};

/// A `width` × `height` box centred in `area` (clamped to it).
pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 3,
        w,
        h,
    )
}

/// Clear `area` and draw a framed box in it; returns the inside.
pub fn frame(
    area: Rect,
    buf: &mut Buffer,
    title: Line<'_>,
    style: Style,
    border: BorderType,
) -> Rect {
    Clear.render(area, buf);
    let block = Block::bordered()
        .title(title)
        .border_style(style)
        .border_type(border);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}
