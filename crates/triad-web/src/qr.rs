//! QR codes, drawn as SVG.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A QR code of `text`, as SVG at least `size` pixels square (empty when the text is too long
/// for any QR code).
pub fn svg(text: &str, size: u32) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color>()
                .min_dimensions(size, size)
                .build()
        })
        .unwrap_or_default()
}

/// QR codes of survey links drawn lately, by link and size. Drawing one tries all eight masks
/// for the most legible (about 0.4 ms of CPU); a district's surveys page shows one for every
/// campaign on every view, and a link always draws the same code. Only for public links: a
/// code carrying a secret (a second factor's) is drawn with [`svg`] and never kept.
#[derive(Default)]
pub struct KeptLinkCodes {
    drawn: Mutex<HashMap<(String, u32), Arc<str>>>,
}

impl KeptLinkCodes {
    /// The most codes kept (a few a district, a few addresses it is reached at); past it, all
    /// are forgotten and drawn again as they are asked for.
    const MOST: usize = 4096;

    /// The QR code of a public `link`, as [`svg`] draws it.
    pub fn svg(&self, link: &str, size: u32) -> Arc<str> {
        let key = (link.to_string(), size);
        if let Some(kept) = self.drawn().get(&key) {
            return Arc::clone(kept);
        }
        let drawn: Arc<str> = svg(link, size).into();
        let mut codes = self.drawn();
        if codes.len() >= Self::MOST {
            codes.clear();
        }
        codes.insert(key, Arc::clone(&drawn));
        drawn
    }

    fn drawn(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u32), Arc<str>>> {
        self.drawn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_code_is_the_code_drawn_for_its_link_and_size() {
        let kept = KeptLinkCodes::default();
        let link = "https://triad.example.org/s/K7P2QX";
        let first = kept.svg(link, 160);
        assert!(first.starts_with("<?xml"), "{first}");
        assert_eq!(&*first, svg(link, 160));
        assert!(Arc::ptr_eq(&first, &kept.svg(link, 160)), "drawn once");
        assert_eq!(&*kept.svg(link, 320), svg(link, 320));
        let other = kept.svg("https://triad.example.org/s/M3RT8Z", 160);
        assert_ne!(other, first);
    }
}
