//! WCAG 2.2 A and AA, checked by axe-core (pinned in `tests/accessibility/package-lock.json`,
//! installed by `scripts/test`) on every page each role's navigation and home page reach, at
//! phone and laptop size: the walk finds the pages, so a page added later is checked too.

use crate::browser::{browser, end_browser, screenshot, sign_in, start_driver};
use crate::support::*;
use fantoccini::{Client, Locator};
use std::collections::BTreeSet;

/// The rule sets of WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const TAGS: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']";

pub(crate) fn axe_source() -> String {
    let path = std::env::var("TRIAD_TEST_AXE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/accessibility/node_modules/axe-core/axe.min.js"
        )
        .into()
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core ({path}) is not installed: {e}; run the tests with scripts/test, which installs it")
    })
}

/// The page's violations, one line each: the rule, its impact, where, and what it asks.
pub(crate) async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let run = format!(
        "var done = arguments[arguments.length - 1];\
         axe.run(document, {{ runOnly: {{ type: 'tag', values: {TAGS} }}, resultTypes: ['violations'] }})\
           .then(function (r) {{ done(r.violations.map(function (v) {{\
             return v.id + ' (' + v.impact + ') at ' + v.nodes.slice(0, 3).map(function (n) {{ return n.target.join(' '); }}).join(' | ') + ': ' + v.help;\
           }})); }})\
           .catch(function (e) {{ done(['axe did not run: ' + e]); }});"
    );
    let found = c.execute_async(&run, vec![]).await.unwrap();
    serde_json::from_value(found).unwrap()
}

/// The pages a person reaches from their navigation and their home page: same-site links,
/// once per kind of page (a second record of the same kind adds nothing), no downloads.
async fn reachable(c: &Client, app: &TestApp) -> Vec<String> {
    c.goto(&app.url("/")).await.unwrap();
    let links = c
        .execute(
            "return Array.from(document.querySelectorAll('header nav a, main a'))\
               .map(function (a) { return a.getAttribute('href'); });",
            vec![],
        )
        .await
        .unwrap();
    let links: Vec<String> = serde_json::from_value(links).unwrap();
    let mut kinds = BTreeSet::new();
    let mut pages = vec!["/".to_string()];
    for href in links {
        let Some(path) = href.strip_prefix('/').map(|p| format!("/{p}")) else {
            continue;
        };
        let download = [".csv", "/lesson-plan", "/bundle", "/photo", "/file"]
            .iter()
            .any(|d| path.contains(d));
        if path.starts_with("//") || download {
            continue;
        }
        // A page's kind: its path with ids and queries taken out.
        let kind: String = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .map(|part| if part.len() >= 32 { "{id}" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        if kinds.insert(kind) && !pages.contains(&path) {
            pages.push(path);
        }
    }
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_a_role_reaches_meets_wcag_2_2_aa_at_both_sizes() {
    let app = TestApp::start(Engine::Sqlite).await;
    let axe = axe_source();
    let driver = start_driver();
    let mut failures = Vec::new();
    let mut checked = 0;
    for who in [
        "sro",
        "sso",
        "principal",
        "staff",
        "director",
        "sergeant",
        "evaluator",
        "admin",
    ] {
        for (width, height) in [(390, 844), (1366, 768)] {
            let c = browser(&driver, width, height).await;
            sign_in(&c, &app, who).await;
            for page in reachable(&c, &app).await {
                c.goto(&app.url(&page)).await.unwrap();
                // The page's own script has run (it marks the document when it has).
                c.wait()
                    .for_element(Locator::Css("html[data-script=ready]"))
                    .await
                    .unwrap();
                checked += 1;
                for v in violations(&c, &axe).await {
                    failures.push(format!("{who} at {width}px, {page}: {v}"));
                }
            }
            if width == 390 && who == "principal" {
                screenshot(&c, "accessibility-principal-phone").await;
            }
            end_browser(c).await;
        }
    }
    eprintln!("axe-core checked {checked} pages");
    // The focus ring stands out at 3:1 or more from the white page (axe does not measure it).
    let c = browser(&driver, 390, 844).await;
    sign_in(&c, &app, "sro").await;
    c.goto(&app.url("/activity")).await.unwrap();
    let ratio = c
        .execute(
            "var el = document.querySelector('button.big'); el.focus();\
             var rgb = getComputedStyle(el).outlineColor.match(/\\d+/g).map(Number);\
             var lin = function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };\
             var l = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);\
             return [(1.05) / (l + 0.05), document.hasFocus(), el.matches(':focus'), document.activeElement.outerHTML.slice(0, 120), getComputedStyle(el).outlineColor];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        ratio[0].as_f64().unwrap() >= 3.0,
        "the focus ring is {}:1 on white (page focused, button focused, focused element, ring: {ratio})",
        ratio[0]
    );
    // The people involved in an incident are asked for under labels anyone can see.
    c.goto(&app.url(&format!("/campuses/{}/incidents", app.world.campus)))
        .await
        .unwrap();
    for field in ["person1_kind", "person1_name", "person1_description"] {
        let label = c
            .find(Locator::Css(&format!("label[for={field}]")))
            .await
            .unwrap();
        let size = label.rectangle().await.unwrap();
        assert!(
            size.2 > 20.0 && size.3 > 10.0,
            "the label of {field} is not visible"
        );
    }
    end_browser(c).await;
    assert!(checked >= 60, "the walk reached only {checked} pages");
    assert!(
        failures.is_empty(),
        "{} violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
