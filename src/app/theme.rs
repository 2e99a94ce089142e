//! Status colors and icons in one place. A status is never shown by color alone: it always
//! has an icon and a word. The colors are from the Okabe-Ito palette, which stays
//! distinguishable for the common kinds of color blindness, tuned per theme for contrast.

use egui::{Color32, RichText};

use crate::engine::Status;

/// The icon of a status.
pub fn icon(status: Status) -> &'static str {
    match status {
        Status::Satisfied => "✔",
        Status::Missing => "✖",
        Status::Conditional => "⚠",
    }
}

/// The color of a status in the current theme.
pub fn color(status: Status, dark: bool) -> Color32 {
    match (status, dark) {
        // Bluish green, vermillion, orange.
        (Status::Satisfied, false) => Color32::from_rgb(0, 122, 90),
        (Status::Satisfied, true) => Color32::from_rgb(64, 196, 160),
        (Status::Missing, false) => Color32::from_rgb(190, 60, 0),
        (Status::Missing, true) => Color32::from_rgb(240, 120, 70),
        (Status::Conditional, false) => Color32::from_rgb(160, 100, 0),
        (Status::Conditional, true) => Color32::from_rgb(240, 180, 50),
    }
}

/// "✔ satisfied" in its color.
pub fn badge(status: Status, dark: bool) -> RichText {
    RichText::new(format!("{} {}", icon(status), status.word()))
        .color(color(status, dark))
        .strong()
}

/// Background tint for a highlighted row or statement card.
pub fn highlight(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgba_unmultiplied(90, 140, 220, 60)
    } else {
        Color32::from_rgba_unmultiplied(60, 120, 220, 40)
    }
}

/// Dimmed text for "not needed now".
pub fn dim(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(120)
    } else {
        Color32::from_gray(150)
    }
}
