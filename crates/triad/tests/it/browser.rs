//! Pages in a real browser: headless Chromium through ChromeDriver signs in as an SRO on a
//! phone-sized window and as a principal on a desktop one, and checks what each sees.
//! Screenshots are kept in TRIAD_TEST_ARTIFACTS.

use crate::support::*;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};

pub(crate) struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Ends a browser session once its test has asserted everything. Ending it is cleanup, not
/// behaviour under test: on a loaded machine ChromeDriver can be slow to tear down a browser
/// with several tabs and a shared worker, and the driver process is killed on drop anyway, so
/// a failure here is reported and not counted against the test.
pub(crate) async fn end_browser(c: Client) {
    if let Err(e) = c.close().await {
        eprintln!("ending the browser session failed (the driver is killed anyway): {e}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn start_driver() -> Driver {
    let path = std::env::var("TRIAD_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("ChromeDriver ({path}) could not start: {e}; run the tests with scripts/test, which installs it"));
    Driver {
        child,
        port,
        _profile: tempfile::tempdir().unwrap(),
    }
}

pub(crate) async fn browser(driver: &Driver, width: u32, height: u32) -> Client {
    browser_in(driver, width, height, "en-US,en").await
}

/// A browser whose person reads `languages` (what it sends as Accept-Language).
async fn browser_in(driver: &Driver, width: u32, height: u32, languages: &str) -> Client {
    // Two TLS back ends are linked into the tests; name the one to use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let chromium =
        std::env::var("TRIAD_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let profile = tempfile::tempdir().unwrap().keep();
    let args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--no-first-run".into(),
        "--disable-sync".into(),
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": args,
            "prefs": { "intl.accept_languages": languages },
        }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    for attempt in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => {
                // A browser started on a profile of its own opens with its page unfocused
                // (`document.hasFocus()` false), so `:focus` styles never apply; a person's
                // window is in front.
                c.issue_cmd(DevTools("Page.bringToFront"))
                    .await
                    .expect("the page brought to the front");
                return c;
            }
            Err(e) if attempt == 49 => panic!("cannot reach ChromeDriver: {e}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    unreachable!()
}

/// A Chrome DevTools command without parameters, sent through ChromeDriver.
#[derive(Debug)]
struct DevTools(&'static str);

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &reqwest::Url,
        session_id: Option<&str>,
    ) -> Result<reqwest::Url, <reqwest::Url as std::str::FromStr>::Err> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": self.0, "params": {}});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

pub(crate) async fn screenshot(c: &Client, name: &str) {
    let dir = std::env::var("TRIAD_TEST_ARTIFACTS")
        .unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let png = c.screenshot().await.unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
}

/// Prints a page through WebDriver's print command and reads the PDF's text with pdftotext,
/// its whitespace collapsed (a line may wrap anywhere).
pub(crate) async fn printed_text(c: &Client) -> String {
    use base64::Engine as _;
    let print =
        webdriver::command::WebDriverCommand::Print(webdriver::command::PrintParameters::default());
    let answer = c.issue_cmd(print).await.expect("print");
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(answer.as_str().expect("a PDF in base64"))
        .expect("base64");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("printed.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils), which scripts/test installs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) async fn sign_in(c: &Client, app: &TestApp, user: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Signed-in pages carry the top bar; wait for it so the sign-in page is gone.
    element_after_navigation(c, "header.top").await;
}

/// Clicks the first element a CSS selector finds, brought to the middle of the screen first
/// as a person would scroll to it (a bar kept at the screen's edge must not cover it).
pub(crate) async fn click(c: &Client, css: &str) {
    let element = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'}); return null;",
        vec![serde_json::to_value(&element).unwrap()],
    )
    .await
    .unwrap();
    element.click().await.unwrap();
}

/// Waits for an element on the page a click navigates to. A find sent while the browser is
/// still navigating is aborted by it ("aborted by navigation"), which says nothing of the
/// element: the wait is asked again until the new page answers.
pub(crate) async fn element_after_navigation(
    c: &Client,
    css: &str,
) -> fantoccini::elements::Element {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        match c
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => return element,
            Err(fantoccini::error::CmdError::NotW3C(v))
                if v.as_str() == Some("aborted by navigation")
                    && std::time::Instant::now() < deadline => {}
            Err(e) => panic!("{css}: {e}"),
        }
    }
}

/// The page's text as shown, read in one go (a status page may replace its content anytime).
pub(crate) async fn body_text(c: &Client) -> String {
    let text = c
        .execute("return document.querySelector('main').innerText;", vec![])
        .await
        .unwrap();
    text.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sro_and_a_principal_each_see_their_own_home() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();

    // The SRO, on a phone held in a hallway.
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "sro").await;
    let text = body_text(&phone).await;
    assert!(text.contains("This week"), "SRO home: {text}");
    assert!(text.contains("Home High"));
    assert!(!text.contains("Locked accounts"));
    screenshot(&phone, "home-sro-phone").await;
    // The directory of the other district is not theirs.
    phone
        .goto(&app.url(&format!("/districts/{}", app.world.other_district)))
        .await
        .unwrap();
    assert!(body_text(&phone).await.contains("Not found"));
    // Between two hallway conversations: open the log, tap "counseling, student", tap "15
    // min", tap "Log it". Three interactions after the page opens.
    phone.goto(&app.url("/activity")).await.unwrap();
    click(&phone, "input[value=counseling_student]").await;
    click(&phone, "input[name=minutes][value='15']").await;
    click(&phone, "button.big").await;
    let saved = element_after_navigation(&phone, "#saved")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        saved.contains("Counseling session: student, 15 min"),
        "{saved}"
    );
    screenshot(&phone, "activity-quick-entry-phone").await;
    end_browser(phone).await;

    // The principal, at a desk.
    let desk = browser(&driver, 1280, 900).await;
    sign_in(&desk, &app, "principal").await;
    let text = body_text(&desk).await;
    assert!(
        text.contains("School resource officer"),
        "principal home: {text}"
    );
    assert!(text.contains("Test sro"));
    assert!(!text.contains("My campuses"));
    screenshot(&desk, "home-principal-desktop").await;
    // The campus report, with its chart, as the principal reads it.
    desk.goto(&app.url(&format!(
        "/reports/activity?scope=campus:{}",
        app.world.campus
    )))
    .await
    .unwrap();
    let report = body_text(&desk).await;
    assert!(
        report.contains("Balance of time across the triad roles") && report.contains("Patrol"),
        "{report}"
    );
    screenshot(&desk, "report-campus-desktop").await;
    // An incident's whole file: the incident with the evidence taken in for it and its ban.
    desk.goto(&app.url(&format!("/incidents/{}", app.world.incident)))
        .await
        .unwrap();
    for (list, what) in [("evidence", "evidence item"), ("bans", "ban")] {
        let items = desk
            .find_all(Locator::Css(&format!("#{list} li")))
            .await
            .unwrap();
        assert_eq!(items.len(), 1, "the incident page lists its {what}");
    }
    screenshot(&desk, "incident-principal-desktop").await;
    // Signing out ends the session: the home page sends back to sign-in.
    desk.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    element_after_navigation(&desk, "#username").await;
    desk.goto(&app.url("/")).await.unwrap();
    assert!(desk
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/login"));
    end_browser(desk).await;
}

async fn fill(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits (generously: the latency is the benchmark's job) until an element reads `wanted`.
async fn wait_for_text(c: &Client, id: &str, wanted: &str) {
    wait_for_text_where(c, id, |t| t == wanted).await;
}

/// Waits until an element's text satisfies `wanted`; yields the text.
async fn wait_for_text_where(c: &Client, id: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let text = match c.find(Locator::Id(id)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if wanted(&text) {
            return text;
        }
        assert!(std::time::Instant::now() < deadline, "#{id} reads {text:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Clicks a button and reads the element the next page shows (once it is the next page: the
/// form is sent from the page, which stays until the answer comes).
async fn click_then_read(c: &Client, button: Locator<'_>, shown: Locator<'_>) -> String {
    c.execute("window.triadBefore = true; return null;", vec![])
        .await
        .unwrap();
    c.find(button).await.unwrap().click().await.unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let replaced = c
            .execute("return window.triadBefore !== true;", vec![])
            .await
            .unwrap_or(serde_json::Value::Bool(false));
        if replaced == serde_json::Value::Bool(true) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the next page never came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    c.wait()
        .for_element(shown)
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_banned_visitor_is_caught_at_the_front_office() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    // The fixture's earlier Bob Smith has left (a person is signed in once at a time).
    let sso = app.token("sso").await;
    let out = format!("/api/v1/visitors/{}/sign-out", app.world.visitor);
    assert_eq!(
        app.api_post(&sso, &out, serde_json::json!({}))
            .await
            .status(),
        200
    );
    // The SSO at the front office signs in "Bob Smith"; the campus bans a Robert Smith.
    let desk = browser(&driver, 1366, 768).await;
    sign_in(&desk, &app, "sso").await;
    desk.goto(&app.url(&format!("/campuses/{}/visitors", app.world.campus)))
        .await
        .unwrap();
    fill(&desk, "given_name", "Bob").await;
    fill(&desk, "family_name", "Smith").await;
    // Date inputs take their typing in the browser's locale; set the value as the picker would.
    desk.execute(
        "document.getElementById('birth_date').value = '1980-04-02'",
        vec![],
    )
    .await
    .unwrap();
    fill(&desk, "id_last_four", "7731").await;
    fill(&desk, "purpose", "Pick-up").await;
    fill(&desk, "host", "Front office").await;
    // The principal has another page open, following the campus live.
    let office = browser(&driver, 1366, 768).await;
    sign_in(&office, &app, "principal").await;
    office.goto(&app.url("/reports/activity")).await.unwrap();
    script(&office, "window.notReloaded = true; return null;").await;
    let deadline = std::time::Instant::now() + PATIENCE;
    while app.live.streams_open() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the pages never followed the campus"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let matches = click_then_read(
        &desk,
        Locator::Css("main form button[type=submit]"),
        Locator::Id("matches"),
    )
    .await;
    assert!(
        matches.contains("Robert Smith") && matches.contains("nickname"),
        "{matches}"
    );
    // An alarm, not a line: no badge until someone decides.
    let desk_says = desk
        .find(Locator::Id("desk"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        desk_says.contains("Possible banned person: do not issue a badge"),
        "{desk_says}"
    );
    assert!(
        desk.find(Locator::Css("[data-print]")).await.is_err(),
        "no badge to print"
    );
    let red = script(
        &desk,
        "return getComputedStyle(document.getElementById('desk')).backgroundColor;",
    )
    .await;
    assert_eq!(red, "rgb(176, 0, 32)");
    screenshot(&desk, "visitor-ban-match").await;
    // The principal is told at once, while the visitor waits: in red on the page they have
    // open, without a reload, and on their home page.
    let told = wait_for_text_where(&office, "live-notices", |t| {
        t.contains("Possible banned person at the front office of Home High")
    })
    .await;
    assert!(told.contains("Open it"), "{told}");
    assert_eq!(
        script(&office, "return window.notReloaded === true;").await,
        true
    );
    screenshot(&office, "ban-match-notice-on-open-page").await;
    office.goto(&app.url("/")).await.unwrap();
    let home = body_text(&office).await;
    assert!(
        home.contains("For your attention")
            && home.contains("Possible banned person at the front office"),
        "{home}"
    );
    let confirmed = click_then_read(
        &desk,
        Locator::XPath("//button[contains(., 'Same person')]"),
        Locator::Id("desk"),
    )
    .await;
    assert!(
        confirmed.contains("Confirmed ban: do not admit"),
        "{confirmed}"
    );
    // The day's list says what was decided.
    desk.goto(&app.url(&format!("/campuses/{}/visitors", app.world.campus)))
        .await
        .unwrap();
    let list = desk
        .find(Locator::Id("visitors"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("confirmed ban") && !list.contains("held at the desk"),
        "{list}"
    );
    // A visitor no ban matches is cleared in green, with a badge to print.
    fill(&desk, "given_name", "Alice").await;
    fill(&desk, "family_name", "Nguyen").await;
    desk.execute(
        "document.getElementById('birth_date').value = '1990-09-09'",
        vec![],
    )
    .await
    .unwrap();
    fill(&desk, "id_last_four", "1234").await;
    fill(&desk, "purpose", "Meeting").await;
    fill(&desk, "host", "Ms Park").await;
    let clear = click_then_read(
        &desk,
        Locator::Css("main form button[type=submit]"),
        Locator::Id("desk"),
    )
    .await;
    assert!(clear.contains("No ban matches"), "{clear}");
    assert!(desk.find(Locator::Css("[data-print]")).await.is_ok());
    let badge = script(
        &desk,
        "return document.getElementById('badge').textContent;",
    )
    .await;
    assert!(badge.as_str().unwrap().contains("Alice Nguyen"), "{badge}");
    screenshot(&desk, "visitor-clear-badge").await;
    end_browser(desk).await;
    // The principal's home page, read again, has the confirmed match too.
    office.refresh().await.unwrap();
    let home = body_text(&office).await;
    assert!(home.contains("matches an active ban"), "{home}");
    screenshot(&office, "home-principal-ban-notification").await;
    end_browser(office).await;
}

/// The moves a status page offers, by their labels, in order: read in one go, since the page
/// may put a fresh copy of itself in place at any moment.
async fn offered(c: &Client) -> Vec<String> {
    let labels = c
        .execute(
            "return Array.from(document.querySelectorAll('#act details.move > summary'))\
             .map(function (s) { return s.textContent.trim(); });",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(labels).unwrap()
}

/// What the page's own script says: a marker set on a page survives only if it was not
/// reloaded.
async fn script(c: &Client, js: &str) -> serde_json::Value {
    c.execute(js, vec![]).await.unwrap()
}

/// Waits until the status page offers exactly `wanted`.
async fn wait_for_moves(c: &Client, wanted: &[&str], what: &str) {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let now = offered(c).await;
        if now == wanted {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: offered {now:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A campus's status page, as each partner holds it: the moves come from the state and the
/// reader's authority on that campus, each behind one confirmation, and the page follows the
/// campus without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_offers_each_reader_only_their_next_moves() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let status = app.url(&format!("/campuses/{}/status", app.world.campus));
    let (lockdown, controlled) = ("Call a lockdown", "Call controlled movement");
    let threat = "Report a potential threat (controlled movement and the response checklist)";
    let lift = "Lift the lockdown without an officer (the school takes responsibility)";

    // The SSO, on a phone: at normal, a large red lockdown and an amber controlled movement,
    // apart, and nothing that ends an event.
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "sso").await;
    phone.goto(&status).await.unwrap();
    assert_eq!(offered(&phone).await, [lockdown, controlled, threat]);
    let look = script(
        &phone,
        "var l = document.querySelector('#move-lockdown > summary').getBoundingClientRect();\
         var c = document.querySelector('#move-controlled_movement > summary').getBoundingClientRect();\
         return [l.height, c.top - l.bottom, getComputedStyle(document.querySelector('#move-lockdown > summary')).backgroundColor,\
                 getComputedStyle(document.querySelector('#move-controlled_movement > summary')).backgroundColor];",
    )
    .await;
    assert!(
        look[0].as_f64().unwrap() >= 60.0,
        "the lockdown is large: {look}"
    );
    assert!(
        look[1].as_f64().unwrap() >= 30.0,
        "the two calls stand apart: {look}"
    );
    assert_eq!(look[2], "rgb(176, 0, 32)", "the lockdown is red");
    assert_eq!(look[3], "rgb(255, 179, 0)", "controlled movement is amber");
    screenshot(&phone, "status-normal-sso-phone").await;
    // One tap opens the confirmation; nothing is called until it is confirmed.
    click(&phone, "#move-lockdown summary").await;
    let confirm = phone
        .find(Locator::Css("#move-lockdown button.confirm"))
        .await
        .unwrap();
    assert!(confirm.is_displayed().await.unwrap());
    assert_eq!(confirm.text().await.unwrap(), "Confirm: Call a lockdown");
    let token = app.token("principal").await;
    let api = format!("/api/v1/campuses/{}/status", app.world.campus);
    let now: serde_json::Value = app.api_get(&api, &token).await.json().await.unwrap();
    assert_eq!(now["status"], "normal", "a tap alone calls nothing");
    // The SSO calls controlled movement: two taps.
    click(&phone, "#move-controlled_movement summary").await;
    click(&phone, "#move-controlled_movement button.confirm").await;
    // The heading may follow the stream before the next page is in place: wait for the moves.
    wait_for_text(&phone, "status", "Controlled movement").await;
    wait_for_moves(
        &phone,
        &[lockdown, "End controlled movement", threat],
        "the SSO under controlled movement",
    )
    .await;

    // The principal calls the lockdown from the office; the SSO's page follows by itself.
    script(&phone, "window.triadStayed = true; return null;").await;
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "principal").await;
    laptop.goto(&status).await.unwrap();
    click(&laptop, "#move-lockdown summary").await;
    click(&laptop, "#move-lockdown button.confirm").await;
    wait_for_text(&laptop, "status", "Lockdown").await;
    // The administrator may lift it for the school, behind its acceptance; never the all clear.
    wait_for_moves(&laptop, &[lift, threat], "the principal in a lockdown").await;
    let laptop_text = body_text(&laptop).await;
    assert!(
        laptop_text.contains("sworn officer sweeps the campus"),
        "{laptop_text}"
    );
    screenshot(&laptop, "status-lockdown-principal-laptop").await;
    wait_for_text(&phone, "status", "Lockdown").await;
    // The SSO is offered no way out of the lockdown, and is told who acts.
    wait_for_moves(&phone, &[threat], "the SSO during a lockdown").await;
    let sso_text = body_text(&phone).await;
    assert!(
        sso_text.contains("sworn officer sweeps the campus"),
        "{sso_text}"
    );
    assert!(!sso_text.contains("all clear") || sso_text.contains("then gives the all clear"));
    assert_eq!(
        script(&phone, "return window.triadStayed === true;").await,
        true,
        "the page followed without a reload"
    );
    screenshot(&phone, "status-lockdown-sso-phone").await;
    end_browser(phone).await;

    // The SRO, on a phone: the sweep first, then the all clear; never the school's lift.
    let sro = browser(&driver, 390, 844).await;
    sign_in(&sro, &app, "sro").await;
    sro.goto(&status).await.unwrap();
    assert_eq!(
        offered(&sro).await,
        ["Record the sweep of the campus", threat]
    );
    screenshot(&sro, "status-lockdown-sro-phone").await;
    click(&sro, "#move-sweep summary").await;
    fill(&sro, "areas", "Classrooms, gym, fields").await;
    click(&sro, "#move-sweep button.confirm").await;
    wait_for_moves(
        &sro,
        &["Give the all clear", threat],
        "the SRO after the sweep",
    )
    .await;
    screenshot(&sro, "status-swept-sro-phone").await;
    // The principal's page, left open, follows the all clear to normal without a reload.
    script(&laptop, "window.triadStayed = true; return null;").await;
    click(&sro, "#move-all_clear summary").await;
    click(&sro, "#move-all_clear button.confirm").await;
    wait_for_text(&sro, "status", "Normal").await;
    wait_for_text(&laptop, "status", "Normal").await;
    wait_for_moves(
        &laptop,
        &[lockdown, controlled, threat],
        "the principal after the all clear",
    )
    .await;
    assert_eq!(
        script(&laptop, "return window.triadStayed === true;").await,
        true,
        "the page followed without a reload"
    );
    screenshot(&laptop, "status-normal-principal-laptop").await;
    // A move made from a page the state has moved past is refused, not applied again.
    let stale = serde_json::json!({"action": "school_lift", "version": now["version"].to_string(), "accept_responsibility": true});
    let refused = app.api_post(&token, &api, stale).await;
    assert_eq!(refused.status(), 409, "{}", refused.text().await.unwrap());
    end_browser(sro).await;
    end_browser(laptop).await;
}

/// A district leader's pages: a banner line per campus in an event (where, since when, who
/// called it), the district's status board following each campus, and the alarm sound asked
/// once per device and said to be blocked where the browser refuses to play.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_leader_sees_every_campus_in_an_event_and_is_told_when_sound_is_blocked() {
    let app = TestApp::start(Engine::Sqlite).await;
    let middle = app.sibling_campus().await;
    let driver = start_driver();
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "director").await;
    // Signed in, the device is asked once whether to sound the alarm.
    // (The page's script shows the question once it has run: wait for it.)
    let ask = laptop.find(Locator::Id("sound-ask")).await.unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    while !ask.is_displayed().await.unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "the sound is asked for"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    screenshot(&laptop, "sound-asked-director-laptop").await;
    click(&laptop, "#sound-no").await;
    assert!(!ask.is_displayed().await.unwrap());
    // Asked and answered: a later page asks no more.
    let board = app.url(&format!("/districts/{}/status", app.world.district));
    laptop.goto(&board).await.unwrap();
    assert!(!laptop
        .find(Locator::Id("sound-ask"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    // Another day the answer on this device was yes; a page opened since has had no tap, so
    // the browser keeps it silent.
    script(
        &laptop,
        "window.localStorage.setItem('triad-sound', 'on'); return null;",
    )
    .await;
    laptop.goto(&board).await.unwrap();
    let rows = body_text(&laptop).await;
    assert!(
        rows.contains("Home High") && rows.contains("Home Middle"),
        "{rows}"
    );

    // The principal locks Home High down; an SSO of Home Middle calls controlled movement.
    let token = app.token("principal").await;
    let lock = serde_json::json!({"action": "lockdown", "version": "0"});
    let path = format!("/api/v1/campuses/{}/status", app.world.campus);
    assert_eq!(app.api_post(&token, &path, lock).await.status(), 200);
    let grant = triad_domain::auth::Grant::new(
        triad_domain::auth::Role::Sso,
        triad_domain::auth::Scope::Campus {
            district: app.world.district,
            campus: middle,
        },
    )
    .unwrap();
    let sso = app.add_person("middle-sso", &[grant], None, None).await;
    let sso_token = app.token_of(sso).await;
    let movement = serde_json::json!({"action": "controlled_movement", "version": "0"});
    let path = format!("/api/v1/campuses/{middle}/status");
    assert_eq!(
        app.api_post(&sso_token, &path, movement).await.status(),
        200
    );

    // One line per campus, the lockdown first.
    let first = wait_for_text_where(&laptop, "live-text", |t| {
        t.starts_with("LOCKDOWN · Home High · ")
    })
    .await;
    assert!(first.ends_with(" · called by Test principal"), "{first}");
    let second = wait_for_text_where(&laptop, "live-more", |t| {
        t.starts_with("CONTROLLED MOVEMENT · Home Middle · ")
    })
    .await;
    assert!(second.ends_with(" · called by Test middle-sso"), "{second}");
    // The board follows: each row says its status, since when and who called it.
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let row = script(
            &laptop,
            &format!("var r = document.querySelector('[data-board-campus=\"{middle}\"]'); return r.className + '|' + r.innerText;"),
        )
        .await;
        let row = row.as_str().unwrap_or_default().to_string();
        if row.starts_with("board-controlled_movement|") && row.contains("middle-sso") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the board row reads {row:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The page tried to sound the alarm and the browser refused: the banner says so at once.
    let sound = laptop.find(Locator::Id("live-sound")).await.unwrap();
    assert_eq!(
        sound.text().await.unwrap(),
        "Sound is blocked: tap to turn it on"
    );
    let banner = laptop.find(Locator::Id("live")).await.unwrap();
    let tried = banner
        .attr("data-tone-tries")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_ne!(tried, "0", "the page tried to play");
    assert_eq!(tones(&laptop).await, "0", "and nothing played");
    screenshot(&laptop, "board-director-laptop").await;
    // One tap turns it on for this page.
    sound.click().await.unwrap();
    wait_for_text(&laptop, "live-sound", "Sound is on").await;
    end_browser(laptop).await;
}

/// A refused form comes back on its page as it was filled: the message beside the field in
/// words, that field focused and its section open, the header kept; nothing saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_comes_back_as_it_was_filled() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "sro").await;
    phone.goto(&app.url("/activity")).await.unwrap();
    let before = app.audit_count("activity.create", "ok").await;
    // A search, 35 minutes, with a note; its start set a day ahead by mistake (in the closed
    // "more" section) and no legal basis.
    click(&phone, "#other option[value=search]").await;
    click(&phone, "input[name=minutes][value=other]").await;
    fill(&phone, "minutes-other", "35").await;
    click(&phone, "form.quick details summary").await;
    fill(&phone, "notes", "Locker check, east hall").await;
    script(
        &phone,
        "var d = new Date(Date.now() + 86400000); var pad = function (n) { return String(n).padStart(2, '0'); };\
         document.getElementById('started').value = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T09:00';\
         return null;",
    )
    .await;
    click(&phone, "form.quick details summary").await;
    click(&phone, "button.big").await;
    let said = wait_for_text_where(&phone, "error-search_basis", |t| !t.is_empty()).await;
    assert!(
        said.starts_with("A search by a sworn officer needs its legal basis"),
        "{said}"
    );
    let state = script(
        &phone,
        "return [document.activeElement.id, document.querySelector('form.quick details').open,\
                 document.getElementById('minutes-other').value, document.getElementById('notes').value,\
                 document.getElementById('other').value, !!document.querySelector('header.top'),\
                 window.location.pathname, document.querySelector('.form-error').innerText,\
                 document.getElementById('error-started_at').innerText];",
    )
    .await;
    assert_eq!(
        state[0], "started",
        "the first field at fault is focused: {state}"
    );
    assert_eq!(state[1], true, "its section is open: {state}");
    assert_eq!(state[2], "35", "what was typed is kept: {state}");
    assert_eq!(state[3], "Locker check, east hall");
    assert_eq!(state[4], "search");
    assert_eq!(state[5], true, "the header and navigation are kept");
    assert_eq!(state[6], "/activity");
    assert!(
        state[7].as_str().unwrap().starts_with("Nothing was saved"),
        "{state}"
    );
    assert_eq!(
        state[8], "Cannot be in the future",
        "in words, beside its field"
    );
    assert_eq!(
        app.audit_count("activity.create", "ok").await,
        before,
        "nothing saved"
    );
    screenshot(&phone, "refused-form-activity-phone").await;
    script(
        &phone,
        "document.getElementById('started').value = ''; return null;",
    )
    .await;
    click(&phone, "input[name=search_basis][value=consent]").await;
    // Corrected and sent again: saved once.
    click(&phone, "button.big").await;
    element_after_navigation(&phone, "#saved").await;
    assert_eq!(app.audit_count("activity.create", "ok").await, before + 1);
    end_browser(phone).await;
}

/// A form whose answer is a page of its own (a token's secret, shown this once) shows that
/// page when sent from the page, and the secret works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_answered_to_a_form_is_shown_as_it_is() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "sro").await;
    laptop.goto(&app.url("/account")).await.unwrap();
    fill(&laptop, "token-name", "Dashboard").await;
    // The secret is not on the page before: wait for it to show.
    click(
        &laptop,
        "form[action='/account/tokens'] button[type=submit]",
    )
    .await;
    let secret = element_after_navigation(&laptop, "#new-token")
        .await
        .text()
        .await
        .unwrap();
    assert!(secret.starts_with("triad_pat_"), "{secret}");
    let r = app.api_get("/api/v1/me", &secret).await;
    assert_eq!(r.status(), 200, "the token shown works");
    // The page shown is a working page: its forms are sent from it again.
    let again = script(&laptop, "return !!document.querySelector('header.top');").await;
    assert_eq!(again, true);
    end_browser(laptop).await;
}

/// The names a `<select>` offers.
async fn options_of(c: &Client, id: &str) -> Vec<String> {
    let names = c
        .execute(
            &format!(
                "return Array.from(document.getElementById('{id}').options)\
                 .filter(function (o) {{ return o.value; }}).map(function (o) {{ return o.text; }});"
            ),
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(names).unwrap()
}

/// People are picked by name from those the record allows, never typed as user names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_picked_by_name_from_those_the_record_may_name() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "principal").await;
    // An action item's owner: the campus's partners, by name; not the teacher (who cannot
    // open the meeting), not the other district's principal.
    laptop
        .goto(&app.url(&format!("/meetings/{}", app.world.meeting)))
        .await
        .unwrap();
    let owners = options_of(&laptop, "owner").await;
    for wanted in ["Test principal", "Test sro", "Test sso"] {
        assert!(owners.iter().any(|o| o == wanted), "{wanted}: {owners:?}");
    }
    for never in ["Test staff", "Test away-principal", "Test evaluator"] {
        assert!(!owners.iter().any(|o| o == never), "{never}: {owners:?}");
    }
    fill(&laptop, "title", "Walk the east fence").await;
    script(
        &laptop,
        "document.getElementById('owner').value = 'sso'; return null;",
    )
    .await;
    let items = click_then_read(
        &laptop,
        Locator::Css("form[action$='/items'] button[type=submit]"),
        Locator::Css("main"),
    )
    .await;
    assert!(
        items.contains("Walk the east fence") && items.contains("Test sso"),
        "{items}"
    );
    screenshot(&laptop, "picker-meeting-principal-laptop").await;
    end_browser(laptop).await;
    // The SRO holding an item hands it to someone who may hold it: not themself, not staff.
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "sro").await;
    phone
        .goto(&app.url(&format!("/evidence/{}", app.world.evidence)))
        .await
        .unwrap();
    let receivers = options_of(&phone, "receiver").await;
    assert!(
        receivers.iter().any(|o| o == "Test principal"),
        "{receivers:?}"
    );
    for never in ["Test sro", "Test staff", "Test away-principal"] {
        assert!(
            !receivers.iter().any(|o| o == never),
            "{never}: {receivers:?}"
        );
    }
    end_browser(phone).await;
}

/// Counts what a person does on a page: each tap or choice is one interaction.
struct Taps<'a> {
    c: &'a Client,
    count: usize,
}

impl Taps<'_> {
    async fn tap(&mut self, css: &str) {
        click(self.c, css).await;
        self.count += 1;
    }
}

/// Logs one entry by tapping `taps` (after opening the page), and says how many it took.
async fn quick_log(c: &Client, app: &TestApp, taps: &[&str]) -> usize {
    c.goto(&app.url("/activity")).await.unwrap();
    let none = script(
        c,
        "return document.querySelectorAll('form.quick input:checked').length;",
    )
    .await;
    assert_eq!(none, 0, "nothing is chosen before the person chooses");
    let mut t = Taps { c, count: 0 };
    for css in taps {
        t.tap(css).await;
    }
    t.tap("button.big").await;
    element_after_navigation(c, "#saved").await;
    // The next page's script is in place before anything on it is tapped.
    element_after_navigation(c, "html[data-script=ready]").await;
    t.count
}

/// The quick entry keeps its promise: every tile with a common duration in three
/// interactions, a search with its legal basis in four, an SSO's search with the
/// administrator who initiated it in four; only what the category needs is asked, and
/// nothing the role may not log is offered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quick_entry_takes_three_taps_and_asks_only_what_the_category_needs() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "sro").await;
    phone.goto(&app.url("/activity")).await.unwrap();
    let tiles: Vec<String> = serde_json::from_value(
        script(&phone, "return Array.from(document.querySelectorAll('form.quick input[name=category]')).map(function (i) { return i.value; });").await,
    )
    .unwrap();
    assert_eq!(tiles.len(), 6, "{tiles:?}");
    let hidden = script(
        &phone,
        "return document.querySelector('[data-for=search]').hidden;",
    )
    .await;
    assert_eq!(
        hidden, true,
        "a search's questions wait until a search is chosen"
    );
    screenshot(&phone, "quick-entry-sro-phone").await;
    for tile in &tiles {
        let taps = quick_log(
            &phone,
            &app,
            &[
                &format!("input[name=category][value={tile}]"),
                "input[name=minutes][value='15']",
            ],
        )
        .await;
        assert!(taps <= 3, "{tile}: {taps} interactions");
    }
    // A search with its legal basis: the basis appears once the search is chosen.
    let taps = quick_log(
        &phone,
        &app,
        &[
            "#other option[value=search]",
            "input[name=minutes][value='30']",
            "input[name=search_basis][value=consent]",
        ],
    )
    .await;
    assert!(taps <= 4, "a search: {taps} interactions");
    // The tiles now follow what the officer logs: the search they just logged is one.
    phone.goto(&app.url("/activity")).await.unwrap();
    assert!(phone
        .find(Locator::Css(
            "form.quick input[name=category][value=search]"
        ))
        .await
        .is_ok());
    // A stray tap is undone from the confirmation, and stays listed, marked undone.
    quick_log(
        &phone,
        &app,
        &[
            "input[name=category][value=patrol]",
            "input[name=minutes][value='15']",
        ],
    )
    .await;
    click(&phone, "#undo").await;
    element_after_navigation(&phone, "#undone").await;
    let marked = script(
        &phone,
        "return document.querySelectorAll('#recent li.undone').length;",
    )
    .await;
    assert_eq!(marked, 1);
    screenshot(&phone, "quick-entry-undone-phone").await;
    // Past its minutes the page no longer offers Undo (a late Undo sent anyway is refused
    // with the reason: `activity::a_stray_tap_is_undone…`), and the entry stays counted.
    quick_log(
        &phone,
        &app,
        &[
            "input[name=category][value=patrol]",
            "input[name=minutes][value='30']",
        ],
    )
    .await;
    assert!(phone.find(Locator::Id("undo")).await.is_ok());
    app.clock.advance_minutes(10);
    phone.refresh().await.unwrap();
    let saved = phone
        .find(Locator::Id("saved"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(saved.starts_with("Logged: Patrol, 30 min"), "{saved}");
    assert!(
        phone.find(Locator::Id("undo")).await.is_err(),
        "no Undo past its minutes: {saved}"
    );
    assert_eq!(
        script(
            &phone,
            "return document.querySelectorAll('#recent li.undone').length;"
        )
        .await,
        1,
        "nothing else was undone"
    );
    // Times read in the district's zone, named (the district is in Chicago).
    let recent = phone
        .find(Locator::Id("recent"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        (recent.contains(" CST") || recent.contains(" CDT")) && !recent.contains("UTC"),
        "{recent}"
    );
    end_browser(phone).await;

    // The SSO: visitors and escorts among the tiles, no classroom presentation anywhere, and
    // a search names the administrator who initiated it.
    let sso = browser(&driver, 390, 844).await;
    sign_in(&sso, &app, "sso").await;
    sso.goto(&app.url("/activity")).await.unwrap();
    let offered = body_text(&sso).await;
    assert!(
        offered.contains("Visitor contact") && offered.contains("Escort"),
        "{offered}"
    );
    assert!(!offered.contains("Classroom presentation"), "{offered}");
    let taps = quick_log(
        &sso,
        &app,
        &[
            "#other option[value=search]",
            "input[name=minutes][value='15']",
            "#initiated_by option:nth-child(2)",
        ],
    )
    .await;
    assert!(taps <= 5, "an SSO's search: {taps} interactions");
    screenshot(&sso, "quick-entry-sso-phone").await;
    end_browser(sso).await;
}

/// How many tones the page's banner has played.
async fn tones(page: &fantoccini::Client) -> String {
    let banner = page.find(Locator::Id("live")).await.unwrap();
    banner.attr("data-tones").await.unwrap().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockdown_reaches_another_open_page_without_reloading() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    // A teacher's page is open on the home page.
    let staff = browser(&driver, 1024, 800).await;
    sign_in(&staff, &app, "staff").await;
    let banner = staff.find(Locator::Id("live")).await.unwrap();
    assert!(
        !banner.is_displayed().await.unwrap(),
        "no banner while normal"
    );
    // The principal calls the lockdown from the office.
    let office = browser(&driver, 1280, 900).await;
    sign_in(&office, &app, "principal").await;
    office
        .goto(&app.url(&format!("/campuses/{}/status", app.world.campus)))
        .await
        .unwrap();
    click(&office, "#move-lockdown summary").await;
    click(&office, "#move-lockdown button.confirm").await;
    wait_for_text(&office, "status", "Lockdown").await;
    // The teacher's page turns red by itself, and says where, since when and who called it.
    let said = wait_for_text_where(&staff, "live-text", |t| {
        t.starts_with("LOCKDOWN · Home High · ")
    })
    .await;
    assert!(said.ends_with(" · called by Test principal"), "{said}");
    screenshot(&staff, "lockdown-banner-staff").await;
    // Browsers block sound until the person acts: no tone yet.
    assert_eq!(
        tones(&staff).await,
        "0",
        "no tone before sound is turned on"
    );
    staff
        .find(Locator::Id("live-sound"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The school lifts this lockdown and the principal calls another: now the tone plays.
    let token = app.token("principal").await;
    let path = format!("/api/v1/campuses/{}/status", app.world.campus);
    let now: serde_json::Value = app.api_get(&path, &token).await.json().await.unwrap();
    let version = now["version"].as_i64().unwrap().to_string();
    let lift = serde_json::json!({"action": "school_lift", "version": version, "accept_responsibility": true});
    assert_eq!(app.api_post(&token, &path, lift).await.status(), 200);
    let again = serde_json::json!({"action": "lockdown", "version": "0"});
    assert_eq!(app.api_post(&token, &path, again).await.status(), 200);
    let mut played = String::new();
    for _ in 0..100 {
        played = tones(&staff).await;
        if played == "1" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(played, "1", "the tone plays once sound is on");
    end_browser(office).await;
    end_browser(staff).await;
}

/// Loads a page and says how long the browser took, so a page stuck behind the browser's six
/// connections per server shows as a figure rather than a hang. (Stuck, it would wait until a
/// stream ends, which for a page kept open is never: any bound well under that tells them apart.)
async fn timed_goto(c: &Client, url: &str) -> std::time::Duration {
    let began = std::time::Instant::now();
    c.goto(url).await.unwrap();
    began.elapsed()
}

/// Waits (generously) until the live banner is shown, or hidden.
async fn wait_for_banner(c: &Client, shown: bool, what: &str) {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let now = c
            .find(Locator::Id("live"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap();
        if now == shown {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: the banner is {}",
            if now { "still shown" } else { "not shown" }
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Every page of a campus user listens for the campus's status. With the back-forward cache on
/// (Chromium's default) and several tabs open, pages must not each hold a connection: a
/// browser allows six per server, and a seventh page would wait for one to time out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_pages_and_tabs_share_one_live_connection() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &app, "principal").await;
    let campus = app.world.campus.to_string();
    let pages: Vec<String> = [
        "/",
        "/campuses/{c}",
        "/campuses/{c}/status",
        "/campuses/{c}/visitors",
        "/campuses/{c}/bans",
        "/campuses/{c}/incidents",
        "/campuses/{c}/meetings",
        "/campuses/{c}/drills",
        "/campuses/{c}/disclosures",
        "/org",
        "/reports/activity",
    ]
    .iter()
    .map(|p| p.replace("{c}", &campus))
    .collect();
    for page in &pages {
        let took = timed_goto(&c, &app.url(page)).await;
        assert!(took < PATIENCE, "{page} took {took:?} to load");
    }
    // Seven more tabs of the status page.
    let status = app.url(&format!("/campuses/{campus}/status"));
    let first = c.window().await.unwrap();
    let mut tabs = vec![first.clone()];
    for n in 0..7 {
        let tab = c.new_window(true).await.unwrap().handle;
        c.switch_to_window(tab.clone()).await.unwrap();
        let took = timed_goto(&c, &status).await;
        assert!(took < PATIENCE, "status tab {n} took {took:?} to load");
        tabs.push(tab);
    }
    // The server holds one stream for this browser: its eight tabs share it. (A stream the
    // browser let go of is counted until the server notices the connection closed.)
    let deadline = std::time::Instant::now() + PATIENCE;
    while app.live.streams_open() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} streams for one browser",
            app.live.streams_open()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for tab in &tabs {
        c.switch_to_window(tab.clone()).await.unwrap();
        wait_for_banner(&c, false, "before the lockdown").await;
    }
    // The lockdown is called from another session: every open tab shows it.
    let token = app.token("principal").await;
    let path = format!("/api/v1/campuses/{campus}/status");
    let lockdown = serde_json::json!({"action": "lockdown", "version": "0"});
    assert_eq!(app.api_post(&token, &path, lockdown).await.status(), 200);
    for tab in &tabs {
        c.switch_to_window(tab.clone()).await.unwrap();
        wait_for_text_where(&c, "live-text", |t| t.starts_with("LOCKDOWN · ")).await;
    }
    screenshot(&c, "live-shared-lockdown-tab").await;
    // In the first tab, go on to another page, lift the lockdown meanwhile, and come back:
    // the page restored from the back-forward cache shows the campus as it is now.
    // The status page it comes back to was shown during the lockdown, so it also reloads.
    c.switch_to_window(first).await.unwrap();
    c.goto(&status).await.unwrap();
    wait_for_text(&c, "status", "Lockdown").await;
    c.goto(&app.url(&format!("/campuses/{campus}")))
        .await
        .unwrap();
    wait_for_text_where(&c, "live-text", |t| t.starts_with("LOCKDOWN · ")).await;
    let now: serde_json::Value = app.api_get(&path, &token).await.json().await.unwrap();
    let version = now["version"].as_i64().unwrap().to_string();
    let lift = serde_json::json!({"action": "school_lift", "version": version, "accept_responsibility": true});
    assert_eq!(app.api_post(&token, &path, lift).await.status(), 200);
    wait_for_banner(&c, false, "the open page after the lift").await;
    c.back().await.unwrap();
    wait_for_banner(&c, false, "the page restored with the back button").await;
    wait_for_text(&c, "status", "Normal").await;
    screenshot(&c, "live-restored-after-lift").await;
    // Every page still loads quickly after all this.
    let took = timed_goto(&c, &app.url("/")).await;
    assert!(took < PATIENCE, "home took {took:?} at the end");
    end_browser(c).await;
}

/// A respondent on a phone starts the survey, leaves, comes back to find their answers kept
/// on the device, and sends them; once sent, the draft is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_on_a_phone_keeps_its_draft_until_sent() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    let code = app.world.survey.to_string().replace('-', "");
    let url = app.url(&format!("/s/{code}"));
    phone.goto(&url).await.unwrap();
    click(&phone, "select[name=role] option[value=sro]").await;
    click(&phone, "input[name=relationship][value='2']").await;
    let why = phone
        .find(Locator::Css("textarea[name=relationship_why]"))
        .await
        .unwrap();
    why.send_keys("We meet every Monday").await.unwrap();
    // Away and back: the answers are still there.
    phone.goto(&url).await.unwrap();
    let kept = phone
        .find(Locator::Css("textarea[name=relationship_why]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, "We meet every Monday");
    let checked = phone
        .find(Locator::Css("input[name=relationship][value='2']"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(checked.as_deref(), Some("true"));
    screenshot(&phone, "survey-phone-draft").await;
    let before = app.count("survey_responses").await;
    click(&phone, "#survey-form button[type=submit]").await;
    let deadline = std::time::Instant::now() + PATIENCE;
    while app.count("survey_responses").await == before && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.count("survey_responses").await, before + 1);
    phone.find(Locator::Css("[data-sent]")).await.unwrap();
    phone.goto(&url).await.unwrap();
    let after = phone
        .find(Locator::Css("textarea[name=relationship_why]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(after, "", "the draft is forgotten once sent");
    end_browser(phone).await;
}

/// Whether the page is wider than the window (a phone would scroll sideways).
pub(crate) async fn overflows(c: &Client) -> bool {
    script(
        c,
        "return document.documentElement.scrollWidth > window.innerWidth;",
    )
    .await
        == true
}

/// A supervisor's report reads in hours, keeps the period chosen, sets the campuses (for the
/// district leader) or officers (for the LE supervisor) side by side, and fits a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_reads_in_hours_keeps_its_period_and_fits_a_phone() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "director").await;
    phone.goto(&app.url("/reports/activity")).await.unwrap();
    let custom_hidden = script(
        &phone,
        "return document.querySelector('[data-shown-when]').hidden;",
    )
    .await;
    assert_eq!(
        custom_hidden, true,
        "months to choose wait for 'Months I choose'"
    );
    click(
        &phone,
        &format!("#scope option[value='district:{}']", app.world.district),
    )
    .await;
    click(&phone, "#period option[value=year]").await;
    click(&phone, "#report-form button[type=submit]").await;
    let total = element_after_navigation(&phone, "#report-total")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(total, "1 entry, 30 min.");
    assert_eq!(
        script(&phone, "return document.getElementById('period').value;").await,
        "year",
        "the period chosen stays chosen"
    );
    let compared = phone
        .find(Locator::Id("comparison"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        compared.contains("Home High") && compared.contains("100%"),
        "{compared}"
    );
    let roles = phone
        .find(Locator::Id("report-lines"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        roles.contains("Law enforcer") && !roles.contains("law_enforcer"),
        "{roles}"
    );
    assert!(
        !overflows(&phone).await,
        "the report scrolls sideways on a phone"
    );
    screenshot(&phone, "report-district-phone").await;
    end_browser(phone).await;

    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "sergeant").await;
    laptop
        .goto(&app.url(&format!(
            "/reports/activity?scope=agency:{}&period=semester",
            app.world.agency
        )))
        .await
        .unwrap();
    let compared = laptop
        .find(Locator::Id("comparison"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        compared.contains("Officer") && compared.contains("Test sro"),
        "{compared}"
    );
    screenshot(&laptop, "report-agency-laptop").await;
    end_browser(laptop).await;
}

/// Answers the fixture's partnership survey (and a campaign of a year before, for a trend):
/// five administrators, five educators and five SROs each time.
async fn answer_partnership_surveys(app: &TestApp) -> String {
    use triad_app::surveys::campaigns::{answer, by_public_code, AnswerInput};
    let code = app.world.survey.to_string().replace('-', "");
    let current = by_public_code(&app.db, &code).await.unwrap();
    let mut earlier = current.clone();
    earlier.id = triad_domain::Id::new().to_string();
    earlier.name = "Partnership survey last year".into();
    earlier.public_code = format!("{code}x");
    earlier.opens_on = "2025-01-01".into();
    earlier.closes_on = "2099-12-31".into();
    let mut tx = app.db.begin().await.unwrap();
    triad_store::surveys::insert_campaign(&mut tx, &earlier)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (campaign, shift) in [(&earlier, 1), (&current, 0)] {
        for (n, role) in ["administrator", "educator", "sro"]
            .iter()
            .flat_map(|r| std::iter::repeat_n(*r, 5))
            .enumerate()
        {
            let fields = [
                ("role", role.to_string()),
                ("relationship", ((n + shift) % 4 + 1).to_string()),
                (
                    "open_accepting",
                    if n % 3 == 0 { "no" } else { "yes" }.to_string(),
                ),
            ];
            let input = AnswerInput {
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            };
            answer(&app.db, campaign, &input, app.clock_now())
                .await
                .unwrap();
        }
    }
    format!("/surveys/{}", current.id)
}

/// A campaign's analysis draws each question's answers inside its card: the full
/// distribution by role as stacked bars, the trend across campaigns as lines, every label
/// inside its chart, on a phone; an evaluator is offered no link they may not follow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_charts_sit_in_their_cards_whole_and_readable() {
    let app = TestApp::start(Engine::Sqlite).await;
    let page = answer_partnership_surveys(&app).await;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "director").await;
    phone.goto(&app.url(&page)).await.unwrap();
    let cards = script(
        &phone,
        "return Array.from(document.querySelectorAll('section.question')).map(function (card) {\
           var svg = card.querySelector('svg');\
           return { title: card.querySelector('h2').textContent, \
             chart: svg ? svg.querySelector('title').textContent : '', \
             parts: svg ? svg.querySelectorAll('rect > title').length : 0, \
             lines: svg ? card.querySelectorAll('polyline').length : 0 };\
         });",
    )
    .await;
    let relationship = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"].as_str().unwrap().contains("relationship"))
        .cloned()
        .unwrap_or_else(|| panic!("{cards}"));
    assert!(
        relationship["chart"]
            .as_str()
            .unwrap()
            .contains(relationship["title"].as_str().unwrap()),
        "{relationship}"
    );
    assert!(
        relationship["parts"].as_i64().unwrap() >= 3 * 3,
        "every role's whole distribution: {relationship}"
    );
    assert!(
        relationship["lines"].as_i64().unwrap() >= 3,
        "a line per role across the two campaigns: {relationship}"
    );
    let cut = script(
        &phone,
        "return Array.from(document.querySelectorAll('svg.chart text')).filter(function (t) {\
           var box = t.getBBox(); var view = t.ownerSVGElement.viewBox.baseVal;\
           return box.x < -1 || box.x + box.width > view.width + 1;\
         }).map(function (t) { return t.textContent; });",
    )
    .await;
    assert_eq!(cut, serde_json::json!([]), "labels cut off");
    assert!(
        !overflows(&phone).await,
        "the analysis scrolls sideways on a phone"
    );
    screenshot(&phone, "survey-charts-phone").await;
    end_browser(phone).await;

    let evaluator = browser(&driver, 1366, 768).await;
    sign_in(&evaluator, &app, "evaluator").await;
    evaluator.goto(&app.url(&page)).await.unwrap();
    let offered = body_text(&evaluator).await;
    assert!(offered.contains("How each role") || offered.contains("relationship"));
    assert!(
        evaluator
            .find(Locator::Css("a[href$='export.csv'], a[href$='/themes']"))
            .await
            .is_err(),
        "an evaluator reads the aggregates, not the answers"
    );
    end_browser(evaluator).await;
}

/// The lines of each campus card's "This week" on the home page, by campus name.
async fn weeks(c: &Client) -> serde_json::Value {
    script(
        c,
        "return Array.from(document.querySelectorAll('section.campus-home')).map(function (card) {\
           return { campus: card.querySelector('h2').textContent, \
             due: Array.from(card.querySelectorAll('ul.due li')).map(function (li) {\
               return li.className + ': ' + li.textContent.trim(); }) };\
         });",
    )
    .await
}

/// Each home page says what is due this week, campus by campus, in one layout for the
/// principal, the SRO and the SSO; the evaluator's lists the programs they read and offers
/// nothing they may not open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_pages_say_what_is_due_this_week() {
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "principal").await;
    let principal = weeks(&phone).await;
    let home_high = principal[0]["due"].to_string();
    for said in [
        "due-due: SRO–principal meeting: not held yet this week",
        "due-info: Campus status: normal",
        "due-info: 1 visitor signed in now",
        "due-due: 1 open action item, 1 overdue",
        "due-due: Fire evacuation drill scheduled 2026-09-01 is not recorded as held",
    ] {
        assert!(home_high.contains(said), "{said} in {home_high}");
    }
    assert!(!overflows(&phone).await);
    screenshot(&phone, "home-principal-week-phone").await;
    // The SRO and the SSO see the same campus the same way, but for the start-of-year
    // checklist (the SRO's and the administrator's to work through) and what the
    // administrator alone is asked.
    assert!(
        home_high.contains("due-due: Start of the school year: 0 of 6 done"),
        "{home_high}"
    );
    for who in ["sro", "sso"] {
        let page = browser(&driver, 390, 844).await;
        sign_in(&page, &app, who).await;
        let theirs = weeks(&page).await;
        // The administrator alone is asked for their input (the panel's, an evaluation's).
        let mut expected = principal[0]["due"].clone();
        expected.as_array_mut().unwrap().retain(|e| {
            let e = e.as_str().unwrap_or_default();
            !e.contains("Your recommendation")
                && !e.contains("Your input")
                && (who != "sso" || !e.contains("Start of the school year"))
        });
        assert_eq!(theirs[0]["due"], expected, "{who}'s week of Home High");
        if who == "sso" {
            screenshot(&page, "home-sso-week-phone").await;
        }
        end_browser(page).await;
    }
    // A lockdown comes first, in red.
    crate::operations::act(
        &app,
        "principal",
        serde_json::json!({"action": "lockdown", "version": "0"}),
    )
    .await;
    phone.refresh().await.unwrap();
    let first = weeks(&phone).await[0]["due"][0].clone();
    assert_eq!(first, "due-now: Lockdown in force now");
    end_browser(phone).await;

    let evaluator = browser(&driver, 1366, 768).await;
    sign_in(&evaluator, &app, "evaluator").await;
    let nav = body_text(&evaluator).await;
    assert!(
        !nav.contains("Reports"),
        "no report is open to an evaluator: {nav}"
    );
    let program = evaluator
        .find(Locator::Css("#programs h3 a"))
        .await
        .unwrap();
    assert_eq!(program.text().await.unwrap(), "Home District");
    let survey = evaluator
        .find(Locator::Css("#programs li a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    screenshot(&evaluator, "home-evaluator-laptop").await;
    let heading = click_then_read(
        &evaluator,
        Locator::Css("#programs h3 a"),
        Locator::Css("main h1"),
    )
    .await;
    assert_eq!(heading, "Collaboration surveys", "the program's link opens");
    assert!(
        evaluator
            .find(Locator::XPath("//h2[contains(., 'Start a campaign')]"))
            .await
            .is_err(),
        "an evaluator starts no campaign"
    );
    evaluator.goto(&app.url(&survey)).await.unwrap();
    assert!(!body_text(&evaluator).await.contains("Not allowed"));
    end_browser(evaluator).await;
}

/// The Users page finds people by name and role a page at a time; a district leader gives a
/// school role to someone of their district on that person's page, and ends it; the
/// administrator changes a setting on a page, a wrong value told beside the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_and_settings_are_managed_on_pages() {
    let app = TestApp::start(Engine::Sqlite).await;
    // Enough staff of the district for two pages of the list.
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..60 {
        let id = triad_domain::Id::new();
        triad_store::auth::insert_user(
            &mut tx,
            &triad_store::auth::NewUser {
                id,
                username: &format!("teacher{n:02}"),
                display_name: &format!("Teacher {n:02}"),
                person: None,
                password_hash: "not-a-password",
            },
            app.clock_now(),
        )
        .await
        .unwrap();
        let grant = triad_domain::auth::Grant {
            role: triad_domain::auth::Role::Staff,
            scope: triad_domain::auth::Scope::Campus {
                district: app.world.district,
                campus: app.world.campus,
            },
        };
        triad_store::auth::add_grant(&mut tx, id, grant, app.clock_now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let driver = start_driver();
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "director").await;
    laptop
        .goto(&app.url("/admin/users?q=teacher"))
        .await
        .unwrap();
    let rows = script(
        &laptop,
        "return document.querySelectorAll('#users tbody tr').length;",
    )
    .await;
    assert_eq!(rows, 50, "a page of fifty");
    // The next page, once it is the next page (not this one still).
    click_then_read(&laptop, Locator::Id("next-page"), Locator::Id("users")).await;
    let rest = script(
        &laptop,
        "return document.querySelectorAll('#users tbody tr').length;",
    )
    .await;
    assert_eq!(rest, 10);
    assert_eq!(
        script(&laptop, "return document.getElementById('q').value;").await,
        "teacher",
        "the search is kept on the next page"
    );
    // Teacher 07 becomes an SSO of Home High, then is not.
    laptop
        .goto(&app.url("/admin/users?q=teacher07"))
        .await
        .unwrap();
    click_then_read(
        &laptop,
        Locator::Css("#users tbody a"),
        Locator::Id("grants"),
    )
    .await;
    click(&laptop, "#role option[value=sso]").await;
    click(
        &laptop,
        &format!("#scope option[value='campus:{}']", app.world.campus),
    )
    .await;
    let held = click_then_read(
        &laptop,
        Locator::XPath("//button[contains(., 'Give the role')]"),
        Locator::Id("grants"),
    )
    .await;
    assert!(held.contains("School Safety Officer"), "{held}");
    screenshot(&laptop, "admin-user-roles-laptop").await;
    script(
        &laptop,
        "window.confirm = function () { return true; }; return null;",
    )
    .await;
    let held = click_then_read(
        &laptop,
        Locator::XPath("//li[contains(., 'School Safety Officer')]//button"),
        Locator::Id("grants"),
    )
    .await;
    assert!(!held.contains("School Safety Officer"), "{held}");
    end_browser(laptop).await;

    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "admin").await;
    phone.goto(&app.url("/admin/settings")).await.unwrap();
    let field = "section[data-setting='activity.undo_minutes'] input[name=value]";
    phone
        .find(Locator::Css(field))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    phone
        .find(Locator::Css(field))
        .await
        .unwrap()
        .send_keys("forever")
        .await
        .unwrap();
    click(
        &phone,
        "section[data-setting='activity.undo_minutes'] button[type=submit]",
    )
    .await;
    let said = wait_for_text_where(&phone, "error-value", |t| t.contains("from 0 to 1440")).await;
    assert!(said.contains("minutes"), "{said}");
    assert!(!overflows(&phone).await);
    screenshot(&phone, "admin-settings-phone").await;
    end_browser(phone).await;
}

/// A district leader starts a campaign with the roles asked as checkboxes, gets its full
/// link to copy, its QR code and a flyer; each role's count shows once a day, and not at all
/// while a group is smaller than the smallest shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_is_set_up_with_its_link_code_flyer_and_daily_counts() {
    use triad_app::surveys::campaigns::{answer, by_public_code, AnswerInput};
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "director").await;
    let page = format!("/districts/{}/surveys", app.world.district);
    laptop.goto(&app.url(&page)).await.unwrap();
    fill(&laptop, "name", "Parents and staff, winter").await;
    laptop
        .execute(
            "document.getElementById('opens_on').value = '2026-01-01';\
             document.getElementById('closes_on').value = '2099-01-01'; return null;",
            vec![],
        )
        .await
        .unwrap();
    click(&laptop, "input[name=audience][value=parent]").await;
    // Parents are asked: the district's notice is required, and said beside its field.
    click(&laptop, "form[action$='/surveys'] button[type=submit]").await;
    let said = wait_for_text_where(&laptop, "error-notice", |t| !t.is_empty()).await;
    assert!(said.to_lowercase().contains("notice"), "{said}");
    let said = wait_for_text_where(&laptop, "error-name_es", |t| !t.is_empty()).await;
    assert!(said.contains("Spanish"), "{said}");
    fill(
        &laptop,
        "notice",
        "Answering is voluntary; no one can tell who answered.",
    )
    .await;
    // Families are asked: the title and the notice in Spanish too.
    fill(&laptop, "name_es", "Familias y personal, invierno").await;
    fill(
        &laptop,
        "notice_es",
        "Responder es voluntario; nadie puede saber quién respondió.",
    )
    .await;
    // Its one-time page is the form's answer, written in place of this one.
    click(&laptop, "form[action$='/surveys'] button[type=submit]").await;
    let started = wait_for_text_where(&laptop, "started", |t| !t.is_empty()).await;
    assert!(started.contains("Parents and staff, winter"), "{started}");
    laptop.goto(&app.url(&page)).await.unwrap();
    let card = "section.campaign:first-of-type";
    let asked = laptop
        .find(Locator::Css(card))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        asked.contains("Open until 2099-01-01") && asked.contains("Parent"),
        "{asked}"
    );
    let link = script(
        &laptop,
        "return document.querySelector('section.campaign input[readonly]').value;",
    )
    .await;
    let link = link.as_str().unwrap().to_string();
    assert!(
        link.starts_with("http://127.0.0.1:") && link.contains("/s/"),
        "{link}"
    );
    assert!(laptop
        .find(Locator::Css("section.campaign .qr svg"))
        .await
        .is_ok());
    click(&laptop, "section.campaign button[data-copy]").await;
    let copied =
        wait_for_text_where_css(&laptop, "section.campaign .copied", |t| !t.is_empty()).await;
    assert!(
        copied == "Copied." || copied.starts_with("Selected"),
        "{copied}"
    );
    screenshot(&laptop, "survey-campaign-card-laptop").await;
    // Six administrators answer today: tomorrow's count says so, today's does not move.
    let code = link.rsplit('/').next().unwrap().to_string();
    let campaign = by_public_code(&app.db, &code).await.unwrap();
    for _ in 0..6 {
        let input = AnswerInput {
            fields: [("role", "administrator"), ("relationship", "2")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        answer(&app.db, &campaign, &input, app.clock_now())
            .await
            .unwrap();
    }
    laptop.goto(&app.url(&page)).await.unwrap();
    let counts = script(
        &laptop,
        "return document.querySelector('section.campaign .counts').textContent;",
    )
    .await;
    assert!(
        counts
            .as_str()
            .unwrap()
            .contains("Administrator fewer than 5"),
        "{counts}"
    );
    app.clock.advance_minutes(24 * 60);
    // A day on, the session has ended too: sign in again.
    sign_in(&laptop, &app, "director").await;
    laptop.goto(&app.url(&page)).await.unwrap();
    let counts = script(
        &laptop,
        "return document.querySelector('section.campaign .counts').textContent;",
    )
    .await;
    let counts = counts.as_str().unwrap().to_string();
    assert!(counts.contains("Administrator 6"), "{counts}");
    assert!(counts.contains("Parent fewer than 5"), "{counts}");
    // The flyer: its name, the district's notice, the link and its code, to print.
    click(&laptop, "section.campaign a[href$='/flyer']").await;
    let flyer = element_after_navigation(&laptop, "article.flyer")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        flyer.contains("Answering is voluntary") && flyer.contains(&link),
        "{flyer}"
    );
    assert!(laptop.find(Locator::Css("article.flyer svg")).await.is_ok());
    screenshot(&laptop, "survey-flyer-laptop").await;
    end_browser(laptop).await;
}

/// Waits until the element `css` finds reads as `wanted` says.
pub(crate) async fn wait_for_text_where_css(
    c: &Client,
    css: &str,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let text = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if wanted(&text) {
            return text;
        }
        assert!(std::time::Instant::now() < deadline, "{css} reads {text:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A family's phone set to Spanish opens the survey in Spanish all the way through, answers
/// it, and is thanked in Spanish; the switch to English is on the form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spanish_phone_gets_the_survey_in_spanish() {
    let app = TestApp::start(Engine::Sqlite).await;
    let director = app.token("director").await;
    let started: serde_json::Value = app
        .api_post(
            &director,
            &format!("/api/v1/districts/{}/surveys", app.world.district),
            serde_json::json!({"name": "Families, spring", "audience": "parent educator",
                "opens_on": "2026-01-01", "closes_on": "2099-01-01",
                "notice": "Answering is voluntary.", "name_es": "Familias, primavera",
                "notice_es": "Responder es voluntario."}),
        )
        .await
        .json()
        .await
        .unwrap();
    let code = started["campaign"]["code"].as_str().unwrap().to_string();
    let driver = start_driver();
    let phone = browser_in(&driver, 390, 844, "es-MX,es").await;
    phone.goto(&app.url(&format!("/s/{code}"))).await.unwrap();
    let form = body_text(&phone).await;
    for words in [
        "Familias, primavera",
        "Responder es voluntario",
        "English",
        "Enviar",
    ] {
        assert!(form.contains(words), "{words} in {form}");
    }
    click(&phone, "select[name=role] option[value=parent]").await;
    click(&phone, "input[name=relationship][value='1']").await;
    screenshot(&phone, "survey-spanish-phone").await;
    click(&phone, "#survey-form button[type=submit]").await;
    // The thanks replace the form, in Spanish.
    wait_for_text_where_css(&phone, "main h1", |t| t == "Gracias").await;
    assert!(!overflows(&phone).await);
    end_browser(phone).await;
}
