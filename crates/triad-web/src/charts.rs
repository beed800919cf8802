//! Charts as SVG drawn on the server: no script, nothing from another origin, readable by
//! screen readers through their title and the table printed beside them. Each row's label
//! sits on its own line above its bar, so a long label is never cut off and the chart keeps
//! its shape from a phone to a projector.

/// The series colours, each at least 3:1 against white and told apart by the legend.
const COLOURS: [&str; 6] = [
    "#0b4f8a", "#b34700", "#2e7d32", "#6a1b9a", "#5f6368", "#8a6d00",
];
/// Narrow enough that a phone shows the text near its own size.
const WIDTH: i64 = 420;
const ROW: i64 = 46;
/// Room kept right of the longest bar for its figure.
const FIGURE: i64 = 150;

/// Horizontal bars, one per item: `(label, percent of the whole, the figure in words)`.
pub fn bars(title: &str, items: &[(String, i64, String)]) -> String {
    let height = ROW * items.len() as i64 + 6;
    let mut svg = open(title, height);
    let span = WIDTH - FIGURE;
    for (i, (label, percent, figure)) in items.iter().enumerate() {
        let y = ROW * i as i64;
        let w = (span * percent.clamp(&0, &100)) / 100;
        svg.push_str(&label_line(label, y));
        svg.push_str(&format!(
            "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{}\"></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"14\">{percent}% ({})</text>",
            y + 22,
            w.max(1),
            COLOURS[0],
            w + 6,
            y + 36,
            escape(figure)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars split into their parts, one per item, each part a series in the legend:
/// `series` names the parts, each item is `(label, value of each part)`. Every bar is the
/// whole of its item (100 %), so the full distribution of each shows, not one share of it.
pub fn stacked(title: &str, series: &[&str], items: &[(String, Vec<i64>)]) -> String {
    let legend = legend_rows(series);
    let height = ROW * items.len() as i64 + legend * 22 + 10;
    let mut svg = open(title, height);
    let span = WIDTH - 60;
    for (i, (label, parts)) in items.iter().enumerate() {
        let y = ROW * i as i64;
        let total: i64 = parts.iter().sum();
        svg.push_str(&label_line(&format!("{label} ({total})"), y));
        let mut x = 0;
        for (n, part) in parts.iter().enumerate() {
            if total == 0 || *part == 0 {
                continue;
            }
            let w = span * part / total;
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{}\"><title>{}: {part}</title></rect>",
                y + 22,
                w.max(1),
                COLOURS[n % COLOURS.len()],
                escape(series.get(n).copied().unwrap_or(""))
            ));
            x += w;
        }
    }
    svg.push_str(&legend_svg(series, ROW * items.len() as i64 + 6));
    svg.push_str("</svg>");
    svg
}

/// Lines over time: `x` labels the points (months, campaigns), each series is `(name, value
/// at each point)`, a point without a value (a group too small to show) left out. The axis
/// starts at zero and its top is named.
pub fn lines(
    title: &str,
    unit: &str,
    x: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    const PLOT: f64 = 220.0;
    const LEFT: i64 = 10;
    let names: Vec<&str> = series.iter().map(|(n, _)| n.as_str()).collect();
    let legend = legend_rows(&names);
    let top_value = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .fold(0.0_f64, f64::max);
    let top_value = if top_value > 0.0 { top_value } else { 1.0 };
    let height = 24 + PLOT as i64 + 30 + legend * 22 + 10;
    let mut svg = open(title, height);
    let span = WIDTH - LEFT - 20;
    let step = if x.len() > 1 {
        span / (x.len() as i64 - 1)
    } else {
        0
    };
    let bottom = 24 + PLOT as i64;
    let y_of = |v: f64| (24.0 + PLOT - PLOT * v / top_value).round() as i64;
    svg.push_str(&format!(
        "<text x=\"{LEFT}\" y=\"14\" font-size=\"13\">top: {} {}</text>\
         <line x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\" stroke=\"#5f6368\"></line>",
        figure(top_value),
        escape(unit),
        LEFT + span,
    ));
    // Every label when they fit, else every few.
    let every = (x.len() as i64 * 64 / span.max(1) + 1).max(1) as usize;
    for (i, label) in x.iter().enumerate() {
        if i % every == 0 {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"{}\">{}</text>",
                LEFT + step * i as i64,
                bottom + 18,
                // The ends are anchored inward, so their labels stay inside the chart.
                match i {
                    0 => "start",
                    _ if i + 1 == x.len() => "end",
                    _ => "middle",
                },
                escape(label)
            ));
        }
    }
    for (n, (name, values)) in series.iter().enumerate() {
        let points: Vec<(i64, i64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (LEFT + step * i as i64, y_of(v))))
            .collect();
        let colour = COLOURS[n % COLOURS.len()];
        let joined: Vec<String> = points.iter().map(|(px, py)| format!("{px},{py}")).collect();
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"3\"><title>{}</title></polyline>",
            joined.join(" "),
            escape(name)
        ));
        for (px, py) in &points {
            svg.push_str(&format!(
                "<circle cx=\"{px}\" cy=\"{py}\" r=\"3.5\" fill=\"{colour}\"></circle>"
            ));
        }
    }
    svg.push_str(&legend_svg(&names, bottom + 30));
    svg.push_str("</svg>");
    svg
}

/// A value as the axis names it: whole when it is, else to two places.
fn figure(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn open(title: &str, height: i64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{0}\" class=\"chart\"><title>{0}</title>",
        escape(title)
    )
}

fn label_line(label: &str, y: i64) -> String {
    format!(
        "<text x=\"0\" y=\"{}\" font-size=\"14\">{}</text>",
        y + 15,
        escape(label)
    )
}

/// How many lines the legend takes: two series per line.
fn legend_rows(series: &[&str]) -> i64 {
    (series.len() as i64 + 1) / 2
}

fn legend_svg(series: &[&str], top: i64) -> String {
    let mut out = String::new();
    for (n, name) in series.iter().enumerate() {
        let x = (n as i64 % 2) * (WIDTH / 2);
        let y = top + (n as i64 / 2) * 22;
        out.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{}\"></rect><text x=\"{}\" y=\"{}\" font-size=\"13\">{}</text>",
            COLOURS[n % COLOURS.len()],
            x + 20,
            y + 12,
            escape(name)
        ));
    }
    out
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
            &[
                ("A & B".into(), 75, "30 min".into()),
                ("C".into(), 25, "10 min".into()),
            ],
        );
        assert!(svg.contains("Balance &lt;of time&gt;"));
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains("width=\"202\"") && svg.contains("width=\"67\""));
    }

    #[test]
    fn a_stacked_bar_is_the_whole_of_its_item_in_its_parts() {
        let svg = super::stacked(
            "Answers",
            &["Disagree", "Agree"],
            &[("Q1".into(), vec![1, 3]), ("Q2".into(), vec![0, 0])],
        );
        // 360 wide: a quarter and three quarters; an item with no answers draws no part.
        assert!(svg.contains("width=\"90\"") && svg.contains("width=\"270\""));
        assert_eq!(svg.matches("<title>Disagree: ").count(), 1);
        assert!(svg.contains("Q2 (0)"));
    }

    #[test]
    fn lines_start_at_zero_and_name_their_top() {
        let svg = super::lines(
            "Trend",
            "h",
            &["2026-09".into(), "2026-10".into()],
            &[
                ("Educator".into(), vec![Some(0.0), Some(10.0)]),
                ("Other".into(), vec![None, Some(5.0)]),
            ],
        );
        assert!(svg.contains("top: 10 h"));
        assert!(svg.contains("points=\"10,244 400,24\""), "{svg}");
        assert!(
            svg.contains("points=\"400,134\""),
            "a missing point is left out: {svg}"
        );
    }
}
