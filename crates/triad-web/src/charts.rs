//! Charts as SVG drawn on the server: no script, nothing from another origin, readable by
//! screen readers through their title and the table printed beside them.

/// Horizontal bars, one per item: `(label, value, percent of the whole)`.
pub fn bars(title: &str, unit: &str, items: &[(String, i64, i64)]) -> String {
    const ROW: i64 = 34;
    const LABEL: i64 = 170;
    const WIDTH: i64 = 520;
    let height = ROW * items.len() as i64 + 10;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\" class=\"chart\">",
        escape(title)
    );
    svg.push_str(&format!("<title>{}</title>", escape(title)));
    let span = WIDTH - LABEL - 70;
    for (i, (label, value, percent)) in items.iter().enumerate() {
        let y = ROW * i as i64 + 5;
        let w = (span * percent.clamp(&0, &100)) / 100;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"14\">{}</text><rect x=\"{LABEL}\" y=\"{y}\" width=\"{}\" height=\"22\" fill=\"#0b4f8a\"></rect><text x=\"{}\" y=\"{}\" font-size=\"14\">{percent}% ({value} {unit})</text>",
            y + 16,
            escape(label),
            w.max(1),
            LABEL + w + 6,
            y + 16
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_scale_with_their_share_and_escape_labels() {
        let svg = super::bars(
            "Balance <of time>",
            "min",
            &[("A & B".into(), 30, 75), ("C".into(), 10, 25)],
        );
        assert!(svg.contains("Balance &lt;of time&gt;"));
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains("width=\"210\"") && svg.contains("width=\"70\""));
    }
}
