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
        (Status::Satisfied, false) => Color32::from_rgb(0, 105, 75),
        (Status::Satisfied, true) => Color32::from_rgb(64, 196, 160),
        (Status::Missing, false) => Color32::from_rgb(175, 50, 0),
        (Status::Missing, true) => Color32::from_rgb(250, 140, 95),
        (Status::Conditional, false) => Color32::from_rgb(135, 80, 0),
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

/// Dimmed text for "not needed now": lighter than normal text, still 4.5:1.
pub fn dim(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(160)
    } else {
        Color32::from_gray(92)
    }
}

/// The app's visuals: egui's, with every text color at least 4.5:1 against the backgrounds
/// it is drawn on (WCAG AA; see the test below), and a focus ring (2 px, its own color)
/// that is not the hover look.
pub fn visuals(dark: bool) -> egui::Visuals {
    let mut v = if dark {
        egui::Visuals::dark()
    } else {
        egui::Visuals::light()
    };
    if dark {
        v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(200);
        v.widgets.inactive.fg_stroke.color = Color32::from_gray(220);
        v.weak_text_color = Some(Color32::from_gray(175));
        v.hyperlink_color = Color32::from_rgb(120, 185, 255);
        v.error_fg_color = Color32::from_rgb(255, 120, 110);
        v.warn_fg_color = Color32::from_rgb(240, 180, 50);
    } else {
        v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(40);
        v.widgets.inactive.fg_stroke.color = Color32::from_gray(30);
        v.weak_text_color = Some(Color32::from_gray(95));
        v.hyperlink_color = Color32::from_rgb(0, 90, 170);
        v.error_fg_color = Color32::from_rgb(180, 0, 0);
        v.warn_fg_color = Color32::from_rgb(150, 80, 0);
    }
    // Focus: a thick ring in the focus color; hover keeps egui's thin gray outline.
    v.widgets.active.bg_stroke = egui::Stroke::new(2.0, focus(dark));
    v
}

/// The color of the keyboard focus ring.
pub fn focus(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(255, 200, 60)
    } else {
        Color32::from_rgb(0, 70, 200)
    }
}

/// Relative luminance of an sRGB color (WCAG 2).
#[cfg(test)]
fn luminance(c: Color32) -> f64 {
    let lin = |x: u8| {
        let x = f64::from(x) / 255.0;
        if x <= 0.040_45 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
}

/// WCAG contrast ratio between two opaque colors (1 to 21).
#[cfg(test)]
fn contrast(a: Color32, b: Color32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// `top` (possibly translucent) drawn over the opaque `bottom`.
#[cfg(test)]
fn over(top: Color32, bottom: Color32) -> Color32 {
    let [r, g, b, a] = top.to_srgba_unmultiplied();
    let a = f32::from(a) / 255.0;
    let mix = |t: u8, u: u8| {
        let v = (f32::from(t) * a + f32::from(u) * (1.0 - a)).round();
        u8::try_from(v as i32).unwrap_or(u8::MAX)
    };
    Color32::from_rgb(mix(r, bottom.r()), mix(g, bottom.g()), mix(b, bottom.b()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every color text is drawn in, against every background it is drawn on, in both
    /// themes: at least 4.5:1. The focus ring (not text) at least 3:1, and unlike hover.
    #[test]
    fn all_text_meets_wcag_aa_in_both_themes() {
        for dark in [false, true] {
            let v = visuals(dark);
            let backgrounds = [
                ("panel", v.panel_fill),
                ("window", v.window_fill),
                ("text field", v.text_edit_bg_color()),
                ("highlighted card", over(highlight(dark), v.panel_fill)),
            ];
            let texts = [
                ("normal text", v.widgets.noninteractive.fg_stroke.color),
                ("button text", v.widgets.inactive.fg_stroke.color),
                ("weak text, hints and placeholders", v.weak_text_color()),
                ("links", v.hyperlink_color),
                ("errors", v.error_fg_color),
                ("warnings", v.warn_fg_color),
                ("not needed now", dim(dark)),
                ("satisfied", color(Status::Satisfied, dark)),
                ("missing", color(Status::Missing, dark)),
                ("conditional", color(Status::Conditional, dark)),
            ];
            for (bn, bg) in backgrounds {
                for (tn, fg) in texts {
                    let r = contrast(fg, bg);
                    assert!(
                        r >= 4.5,
                        "{} theme: {tn} on {bn} is {r:.2}:1",
                        if dark { "dark" } else { "light" }
                    );
                }
            }
            // Selected rows: the selection's text on the selection's fill.
            let r = contrast(v.selection.stroke.color, v.selection.bg_fill);
            assert!(r >= 4.5, "selected text {r:.2}:1");
            let ring = v.widgets.active.bg_stroke;
            assert!(ring.width >= 2.0);
            assert_ne!(ring, v.widgets.hovered.bg_stroke);
            assert!(contrast(ring.color, v.panel_fill) >= 3.0);
            // "Not needed now" still reads as dimmer than normal text.
            let normal = v.widgets.noninteractive.fg_stroke.color;
            assert!(contrast(normal, v.panel_fill) > contrast(dim(dark), v.panel_fill) + 1.0);
        }
    }

    #[test]
    fn contrast_is_the_wcag_formula() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        assert!((contrast(Color32::from_gray(0x76), Color32::WHITE) - 4.54).abs() < 0.01);
    }
}
