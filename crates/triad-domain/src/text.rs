//! Text fields as people type them: trimmed, bounded, and empty read as absent. Every
//! capability's free-text fields go through here, so each says the same thing about the same
//! mistake.

use crate::Invalid;

/// A short text field: trimmed, bounded, may be empty.
pub fn parse_text(field: &'static str, text: &str, max: usize) -> Result<Option<String>, Invalid> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(Invalid::one(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(t.to_string()).filter(|t| !t.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_empty_is_absent() {
        assert_eq!(parse_text("note", "  hello ", 10), Ok(Some("hello".into())));
        assert_eq!(parse_text("note", "   ", 10), Ok(None));
        assert_eq!(
            parse_text("note", "ñññ", 3),
            Ok(Some("ñññ".into())),
            "characters, not bytes"
        );
        let long = parse_text("note", "abcd", 3).unwrap_err();
        assert_eq!(long.errors[0].field, "note");
    }
}
