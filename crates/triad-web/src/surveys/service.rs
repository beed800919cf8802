//! Campaigns: starting one, answering it anonymously, its analysis by role (small groups
//! suppressed), its trend across campaigns, and its export.

use crate::error::{WebError, WebResult};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use triad_domain::surveys::{
    self as rules, safe_cell, GroupFigure, Instrument, QuestionKind, RespondentRole, Value,
};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::paging::Page;
use triad_store::surveys::{self as store, CampaignRow, ResponseRow, RoleAnswer};
use triad_store::Db;

/// The setting that holds the smallest group shown.
pub const MIN_GROUP_SETTING: &str = "surveys.min_group";
pub const DEFAULT_MIN_GROUP: i64 = 5;

pub async fn min_group(db: &Db) -> WebResult<usize> {
    let n = triad_store::settings::get_i64(
        &mut db.acquire().await?,
        MIN_GROUP_SETTING,
        DEFAULT_MIN_GROUP,
    )
    .await?;
    Ok(usize::try_from(n.max(1)).unwrap_or(5))
}

pub fn instrument_of(c: &CampaignRow) -> WebResult<Instrument> {
    serde_json::from_str(&c.instrument)
        .map_err(|e| WebError::Internal(format!("campaign instrument: {e}")))
}

/// What starting a campaign needs.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewCampaign {
    #[serde(default)]
    pub name: String,
    /// sro-partnership (the seed's four questions), unless `instrument` is given.
    #[serde(default)]
    pub instrument_key: String,
    /// A user-built instrument (JSON), instead of the built-in one.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub instrument: Option<serde_json::Value>,
    /// Roles asked, space-separated (sro sso administrator educator student parent other).
    #[serde(default)]
    pub audience: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub opens_on: String,
    #[serde(default)]
    pub closes_on: String,
    /// How many one-time tokens to make (0: the open link alone).
    #[serde(default)]
    pub tokens: String,
    /// The district's notice shown to students and parents (required when they are asked).
    #[serde(default)]
    pub notice: String,
    /// One campus of the district (its id), or empty for the whole district.
    #[serde(default)]
    pub campus: String,
}

/// Checks and stores a campaign; yields it with its one-time tokens (shown once).
pub async fn create(
    db: &Db,
    input: &NewCampaign,
    district: Option<Id>,
    by: Option<Id>,
    now: Timestamp,
) -> WebResult<(CampaignRow, Vec<String>)> {
    let mut invalid = Invalid::default();
    let name = invalid.check(triad_domain::org::parse_name("name", &input.name));
    let campus = match input.campus.trim() {
        "" => None,
        id => {
            let found = match Id::parse(id) {
                Some(c) => triad_store::org::campus(&mut db.acquire().await?, c).await?,
                None => None,
            };
            match found.filter(|c| Some(c.district()) == district) {
                Some(c) => Some(c.id),
                None => {
                    invalid.push(
                        "campus",
                        "choose a campus of this district, or none for the whole district",
                    );
                    None
                }
            }
        }
    };
    let instrument = match &input.instrument {
        Some(json) => match serde_json::from_value::<Instrument>(json.clone()) {
            Ok(i) => invalid.check(rules::check_instrument(&i).map(|_| i)),
            Err(e) => {
                invalid.push(
                    "instrument",
                    format!("the instrument could not be read: {e}"),
                );
                None
            }
        },
        None => match input.instrument_key.trim() {
            "" | rules::SRO_PARTNERSHIP => Some(rules::sro_partnership()),
            other => {
                invalid.push(
                    "instrument_key",
                    format!("there is no built-in instrument '{other}'"),
                );
                None
            }
        },
    };
    let opens = invalid.check(triad_domain::org::parse_date("opens_on", &input.opens_on));
    let closes = invalid.check(triad_domain::org::parse_date("closes_on", &input.closes_on));
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            invalid.push("closes_on", "must not be before the opening day");
        }
    }
    let mut audience = Vec::new();
    for word in input.audience.split([' ', ',']).filter(|w| !w.is_empty()) {
        match RespondentRole::from_code(word) {
            Some(r) if r != RespondentRole::Unknown => audience.push(r),
            _ => invalid.push("audience", format!("'{word}' is not a role surveys ask")),
        }
    }
    if audience.is_empty() {
        invalid.push("audience", "choose who is asked");
    }
    let minors = audience
        .iter()
        .any(|r| matches!(r, RespondentRole::Student | RespondentRole::Parent));
    let notice = Some(input.notice.trim().to_string()).filter(|n| !n.is_empty());
    if minors && notice.is_none() {
        invalid.push("notice", "students or parents are asked: give the district's notice (PPRA), which they read before answering");
    }
    let tokens: usize = match input.tokens.trim() {
        "" => 0,
        t => match t.parse() {
            Ok(n) if n <= 5000 => n,
            _ => {
                invalid.push("tokens", "a number of one-time links from 0 to 5000");
                0
            }
        },
    };
    invalid.into_result()?;
    let (Some(name), Some(instrument), Some(opens), Some(closes)) =
        (name, instrument, opens, closes)
    else {
        return Err(Invalid::one("name", "is required").into());
    };
    let row = CampaignRow {
        id: Id::new().to_string(),
        name,
        district_id: district.map(|d| d.to_string()),
        campus_id: campus,
        instrument_key: instrument.key.clone(),
        instrument: serde_json::to_string(&instrument).unwrap_or_default(),
        audience: audience
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(" "),
        opens_on: opens.to_string(),
        closes_on: closes.to_string(),
        public_code: triad_store::auth::new_secret("").chars().take(16).collect(),
        one_time_tokens: tokens > 0,
        notice,
        created_by: by.map(|b| b.to_string()),
        created_at: now.millis(),
    };
    let mut tx = db.begin().await?;
    store::insert_campaign(&mut tx, &row).await?;
    let mut secrets = Vec::new();
    for _ in 0..tokens {
        let secret = triad_store::auth::new_secret("");
        store::insert_token(&mut tx, &row.id, &triad_store::auth::secret_hash(&secret)).await?;
        secrets.push(secret);
    }
    let event = triad_domain::audit::AuditEvent::new(
        by,
        "survey.campaign.create",
        triad_domain::audit::Outcome::Ok,
    )
    .record("survey_campaign", &row.id)
    .content(&row)
    .tenant(district, None);
    triad_store::audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok((row, secrets))
}

/// The form of an anonymous answer: the question keys and what was typed or chosen.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnswerInput {
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

/// Records an anonymous answer: within the campaign's dates, with a one-time token if the
/// campaign uses them (marked used, never linked to the answer). Nothing about the person,
/// their address or device is kept; the audit entry names the campaign only.
pub async fn answer(
    db: &Db,
    campaign: &CampaignRow,
    input: &AnswerInput,
    now: Timestamp,
) -> WebResult<()> {
    let today = now.to_datetime().date_naive().to_string();
    if today < campaign.opens_on {
        return Err(WebError::Conflict(format!(
            "this survey opens on {}",
            campaign.opens_on
        )));
    }
    if today > campaign.closes_on {
        return Err(WebError::Conflict(format!(
            "this survey closed on {}",
            campaign.closes_on
        )));
    }
    let instrument = instrument_of(campaign)?;
    let field = |k: &str| input.fields.get(k).map(String::as_str).unwrap_or("");
    let mut invalid = Invalid::default();
    let mut role = RespondentRole::Unknown;
    // A random id: a time-ordered one would tell when the answer was given.
    let response_id = Id::random().to_string();
    let mut answers = Vec::new();
    for q in &instrument.questions {
        let raw = field(&q.key);
        let read = rules::read(q, raw);
        if q.kind == QuestionKind::Role {
            role = rules::normalise_role(raw);
            if role == RespondentRole::Unknown {
                invalid.push("role", "choose your role");
            }
            continue;
        }
        if let Some(flag) = read.flags.first() {
            // A form can be corrected: say what does not fit rather than keep it flagged.
            invalid.push("answers", format!("{}: {}", q.text, flag.label()));
            continue;
        }
        if read.value.is_some() {
            answers.push(super::import::answer_row(
                &response_id,
                &campaign.id,
                &q.key,
                read.value,
                raw,
                &[],
            ));
        }
    }
    if answers.is_empty() {
        invalid.push("answers", "answer at least one question");
    }
    invalid.into_result()?;
    let mut tx = db.begin().await?;
    if campaign.one_time_tokens {
        let token = triad_store::auth::secret_hash(field("token").trim());
        if !store::use_token(&mut tx, &campaign.id, &token).await? {
            return Err(WebError::Conflict(
                "this link has been used already, or is not one of this survey's: each invitation answers once".into(),
            ));
        }
    }
    let response = ResponseRow {
        id: response_id,
        campaign_id: campaign.id.clone(),
        role: role.code().into(),
        role_text: None,
        source: "web".into(),
        import_key: None,
        original: None,
        section: None,
        answered_on: today,
    };
    let day = response.answered_on.clone();
    store::insert_response(&mut tx, &response).await?;
    super::import::store_answers(&mut tx, &instrument, &answers).await?;
    // Counted for the day; the day's count reaches the audit trail once the day is over
    // (an entry per answer would order answers by its place in the chain).
    store::count_answer(&mut tx, &campaign.id, &day).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes each past day's count of anonymous answers to the audit trail, once per campaign
/// per day. The server runs it every hour; several instances may each run it.
pub async fn audit_answer_days(db: &Db, now: Timestamp) -> WebResult<usize> {
    let today = now.to_datetime().date_naive().to_string();
    let days = store::unaudited_days(&mut db.acquire().await?, &today).await?;
    let mut written = 0;
    for d in days {
        let mut tx = db.begin().await?;
        if !store::mark_day_audited(&mut tx, &d.campaign_id, &d.day).await? {
            continue;
        }
        let event = triad_domain::audit::AuditEvent::new(
            None,
            "survey.answers",
            triad_domain::audit::Outcome::Ok,
        )
        .record("survey_campaign", &d.campaign_id)
        .content(&(&d.day, d.answers))
        .tenant(d.district_id.as_deref().and_then(Id::parse), None);
        triad_store::audit::append(&mut tx, event, now).await?;
        tx.commit().await?;
        written += 1;
    }
    Ok(written)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureView {
    pub role: String,
    /// None: fewer respondents than the smallest group shown (or hidden so a hidden group
    /// cannot be worked out from the others).
    pub n: Option<usize>,
    pub mean: Option<f64>,
    pub counts: Vec<(String, usize)>,
}

/// Figures as pages and exports show them.
fn two_places(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl From<GroupFigure> for FigureView {
    fn from(f: GroupFigure) -> Self {
        FigureView {
            role: f.role.label().into(),
            n: f.n,
            mean: f.mean.map(two_places),
            counts: f.counts,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionSummary {
    pub key: String,
    pub text: String,
    pub kind: String,
    /// The direction of a scale in words.
    pub direction: Option<String>,
    pub groups: Vec<FigureView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapView {
    pub question: String,
    pub between: String,
    pub size: f64,
    pub n: String,
    pub words: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ThemeView {
    pub theme: String,
    pub label: String,
    /// Answers carrying the theme, by role (None: the role's group is too small to show).
    pub by_role: Vec<(String, Option<i64>)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub campaign: String,
    pub opens_on: String,
    pub question: String,
    pub role: String,
    pub n: Option<usize>,
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub campaign_id: String,
    pub district_id: Option<String>,
    pub campaign: String,
    pub instrument: String,
    pub opens_on: String,
    pub closes_on: String,
    pub responses: i64,
    pub min_group: usize,
    pub questions: Vec<QuestionSummary>,
    pub gaps: Vec<GapView>,
    pub themes: Vec<ThemeView>,
    pub trend: Vec<TrendPoint>,
}

fn value_of(a: &RoleAnswer) -> Option<Value> {
    a.value_number
        .map(Value::Number)
        .or(a.value_bool.map(Value::Bool))
        .or(a.value_text.clone().map(Value::Text))
}

fn role_of(a: &RoleAnswer) -> RespondentRole {
    RespondentRole::from_code(&a.role).unwrap_or(RespondentRole::Unknown)
}

/// The figures of every question of a campaign, from the database's counts of each value.
async fn figures(
    db: &Db,
    campaign: &str,
    instrument: &Instrument,
    min_group: usize,
) -> WebResult<Vec<(String, Vec<GroupFigure>)>> {
    let choices: Vec<String> = instrument
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Choice)
        .map(|q| q.key.clone())
        .collect();
    let counts = store::value_counts(&mut db.acquire().await?, campaign, &choices).await?;
    Ok(instrument
        .questions
        .iter()
        .filter(|q| {
            matches!(
                q.kind,
                QuestionKind::Scale | QuestionKind::YesNo | QuestionKind::Choice
            )
        })
        .map(|q| {
            let values: Vec<(RespondentRole, Value)> = counts
                .iter()
                .filter(|c| c.question_key == q.key)
                .flat_map(|c| {
                    let value = c
                        .value_number
                        .map(Value::Number)
                        .or(c.value_bool.map(Value::Bool))
                        .or(c.value_text.clone().map(Value::Text));
                    let role =
                        RespondentRole::from_code(&c.role).unwrap_or(RespondentRole::Unknown);
                    let times = usize::try_from(c.n).unwrap_or(0);
                    value
                        .map(|v| std::iter::repeat_n((role, v), times))
                        .into_iter()
                        .flatten()
                })
                .collect();
            (q.key.clone(), rules::summarise(q, &values, min_group))
        })
        .collect())
}

/// The analysis of a campaign as others may see it.
pub async fn summary(db: &Db, campaign: &CampaignRow, min_group: usize) -> WebResult<Summary> {
    let instrument = instrument_of(campaign)?;
    let mut conn = db.acquire().await?;
    let roles = store::role_counts(&mut conn, &campaign.id).await?;
    let theme_counts = store::theme_counts(&mut conn, &campaign.id).await?;
    drop(conn);
    let responses: i64 = roles.iter().map(|r| r.n).sum();
    let per_question = figures(db, &campaign.id, &instrument, min_group).await?;
    let mut questions = Vec::new();
    let mut gaps = Vec::new();
    for (key, groups) in &per_question {
        let Some(q) = instrument.question(key) else {
            continue;
        };
        if q.kind == QuestionKind::Scale {
            let pairs = [
                (RespondentRole::Sro, RespondentRole::Administrator),
                (RespondentRole::Sro, RespondentRole::Educator),
                (RespondentRole::Administrator, RespondentRole::Educator),
            ];
            for (a, b) in pairs {
                if let Some(g) = rules::gap(q, groups, a, b) {
                    gaps.push(GapView {
                        question: q.text.clone(),
                        between: format!("{} and {}", a.label(), b.label()),
                        size: two_places(g.size),
                        n: format!("{} and {}", g.first_n, g.second_n),
                        words: g.words,
                    });
                }
            }
        }
        questions.push(QuestionSummary {
            key: key.clone(),
            text: q.text.clone(),
            kind: q.kind.label().into(),
            direction: q.scale.as_ref().map(|s| s.direction()),
            groups: groups.iter().cloned().map(FigureView::from).collect(),
        });
    }
    // A role's theme counts are shown when the role's group of respondents is shown.
    let group_sizes: HashMap<String, usize> = roles
        .iter()
        .map(|r| (r.role.clone(), usize::try_from(r.n).unwrap_or(0)))
        .collect();
    let themes = rules::seed_codebook()
        .into_iter()
        .filter_map(|t| {
            let by_role: Vec<(String, Option<i64>)> = theme_counts
                .iter()
                .filter(|c| c.theme == t.key)
                .map(|c| {
                    let shown = group_sizes.get(&c.role).copied().unwrap_or(0) >= min_group;
                    let label = RespondentRole::from_code(&c.role)
                        .map(|r| r.label())
                        .unwrap_or("Unknown");
                    (label.to_string(), shown.then_some(c.n))
                })
                .collect();
            (!by_role.is_empty()).then_some(ThemeView {
                theme: t.key,
                label: t.label,
                by_role,
            })
        })
        .collect();
    Ok(Summary {
        campaign_id: campaign.id.clone(),
        district_id: campaign.district_id.clone(),
        campaign: campaign.name.clone(),
        instrument: instrument.name.clone(),
        opens_on: campaign.opens_on.clone(),
        closes_on: campaign.closes_on.clone(),
        responses,
        min_group,
        questions,
        gaps,
        themes,
        trend: trend(db, campaign, &per_question, min_group).await?,
    })
}

/// The scale questions' means by role across the district's campaigns of the same instrument.
/// `current` holds this campaign's figures, already computed for its summary.
async fn trend(
    db: &Db,
    campaign: &CampaignRow,
    current: &[(String, Vec<GroupFigure>)],
    min_group: usize,
) -> WebResult<Vec<TrendPoint>> {
    let Some(district) = &campaign.district_id else {
        return Ok(Vec::new());
    };
    let mut campaigns = store::of_district(&mut db.acquire().await?, district, Page::ALL).await?;
    campaigns.retain(|c| {
        // The same questions, asked of the same campus (or of the whole district).
        c.instrument_key == campaign.instrument_key
            && c.campus_id == campaign.campus_id
            && c.opens_on <= campaign.opens_on
    });
    campaigns.sort_by(|a, b| a.opens_on.cmp(&b.opens_on));
    let mut points = Vec::new();
    for c in campaigns {
        let instrument = instrument_of(&c)?;
        let per_question = if c.id == campaign.id {
            current.to_vec()
        } else {
            figures(db, &c.id, &instrument, min_group).await?
        };
        for (key, groups) in per_question {
            if instrument
                .question(&key)
                .is_none_or(|q| q.kind != QuestionKind::Scale)
            {
                continue;
            }
            for g in groups {
                points.push(TrendPoint {
                    campaign: c.name.clone(),
                    opens_on: c.opens_on.clone(),
                    question: key.clone(),
                    role: g.role.label().into(),
                    n: g.n,
                    mean: g.mean.map(two_places),
                });
            }
        }
    }
    Ok(points)
}

/// One answer as exported: its respondent's role, the value, its flags and the original text.
/// Every text cell is made safe to open in a spreadsheet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportRow {
    pub response: String,
    pub role: String,
    pub role_as_written: String,
    pub table: String,
    pub question: String,
    pub value: String,
    pub flags: String,
    /// The themes coded in a free-text answer (after people's corrections).
    pub themes: String,
    pub original: String,
}

/// The answers of a page of a campaign's responses (`Page::ALL` for a whole export), with
/// their themes.
pub async fn export(db: &Db, campaign: &CampaignRow, responses: Page) -> WebResult<Vec<ExportRow>> {
    let mut conn = db.acquire().await?;
    let answers = store::answers(&mut conn, &campaign.id, responses).await?;
    let mut themes: HashMap<(String, String), Vec<String>> = HashMap::new();
    for k in store::codings(&mut conn, &campaign.id).await? {
        if !k.removed {
            themes
                .entry((k.response_id, k.question_key))
                .or_default()
                .push(k.theme);
        }
    }
    drop(conn);
    Ok(answers
        .into_iter()
        .map(|a| {
            let coded = themes
                .get(&(a.response_id.clone(), a.question_key.clone()))
                .map(|t| t.join(" "))
                .unwrap_or_default();
            let value = match value_of(&a) {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => if b { "yes" } else { "no" }.into(),
                Some(Value::Text(t)) => t,
                None => String::new(),
            };
            ExportRow {
                response: a.response_id,
                role: a.role,
                role_as_written: safe_cell(a.role_text.as_deref().unwrap_or("")),
                table: safe_cell(a.section.as_deref().unwrap_or("")),
                question: a.question_key,
                value: safe_cell(&value),
                flags: a.flags.unwrap_or_default(),
                themes: coded,
                original: safe_cell(a.original.as_deref().unwrap_or("")),
            }
        })
        .collect())
}

/// A campaign the person may act on: its district's aggregate figures (district leaders,
/// evaluators) or, for `RecordClass::Shared`, the answers themselves (district leaders).
async fn campaign_for(
    ctx: &crate::context::Ctx,
    id: &str,
    class: triad_domain::policy::RecordClass,
) -> WebResult<CampaignRow> {
    campaign_acting(ctx, id, class, triad_domain::policy::Action::View).await
}

async fn campaign_acting(
    ctx: &crate::context::Ctx,
    id: &str,
    class: triad_domain::policy::RecordClass,
    action: triad_domain::policy::Action,
) -> WebResult<CampaignRow> {
    use triad_domain::policy::{Resource, Tenant};
    let row = store::campaign(&mut ctx.state.db.acquire().await?, id)
        .await?
        .filter(|c| c.id == id);
    let tenant = row
        .as_ref()
        .and_then(|c| c.district_id.as_deref())
        .and_then(Id::parse)
        .map(Tenant::district)
        .unwrap_or(Tenant::INSTANCE);
    ctx.require(
        action,
        Resource::new(class, tenant),
        ("survey_campaign", id),
    )
    .await?;
    row.ok_or(WebError::NotFound)
}

fn district_tenant(id: &str) -> WebResult<(Id, triad_domain::policy::Tenant)> {
    let d = Id::parse(id).ok_or(WebError::NotFound)?;
    Ok((d, triad_domain::policy::Tenant::district(d)))
}

/// A district's campaigns (its leaders and evaluators).
/// A page of a district's campaigns, newest first.
pub async fn of_district(
    ctx: &crate::context::Ctx,
    district: &str,
    page: Page,
) -> WebResult<Vec<CampaignRow>> {
    use triad_domain::policy::{Action, RecordClass, Resource};
    let (d, tenant) = district_tenant(district)?;
    ctx.require(
        Action::View,
        Resource::new(RecordClass::Aggregate, tenant),
        ("survey_campaigns", district),
    )
    .await?;
    Ok(store::of_district(&mut ctx.state.db.acquire().await?, &d.to_string(), page).await?)
}

/// Starts a campaign of a district (its leaders); yields it with its one-time tokens.
pub async fn start(
    ctx: &crate::context::Ctx,
    district: &str,
    input: &NewCampaign,
) -> WebResult<(CampaignRow, Vec<String>)> {
    use triad_domain::policy::{Action, RecordClass, Resource};
    let (d, tenant) = district_tenant(district)?;
    ctx.require(
        Action::Change,
        Resource::new(RecordClass::Shared, tenant),
        ("survey_campaigns", district),
    )
    .await?;
    create(&ctx.state.db, input, Some(d), Some(ctx.actor.user), ctx.now).await
}

/// The analysis of a campaign (district leaders, evaluators), small groups suppressed.
pub async fn summary_for(ctx: &crate::context::Ctx, id: &str) -> WebResult<Summary> {
    let c = campaign_for(ctx, id, triad_domain::policy::RecordClass::Aggregate).await?;
    let min = min_group(&ctx.state.db).await?;
    let cache = &ctx.state.survey_summaries;
    if let Some(s) = cache.get(&c.id, min) {
        return Ok(s);
    }
    // One computation at a time: a page opened by many at once is computed once.
    let _turn = cache.computing.lock().await;
    if let Some(s) = cache.get(&c.id, min) {
        return Ok(s);
    }
    let s = summary(&ctx.state.db, &c, min).await?;
    cache.put(&c.id, min, &s);
    Ok(s)
}

/// The answers of a page of a campaign's responses (the district's leaders: the answers
/// themselves are shared records, not aggregates).
pub async fn export_for(
    ctx: &crate::context::Ctx,
    id: &str,
    responses: Page,
) -> WebResult<(String, Vec<ExportRow>)> {
    let c = campaign_for(ctx, id, triad_domain::policy::RecordClass::Shared).await?;
    Ok((
        c.public_code.clone(),
        export(&ctx.state.db, &c, responses).await?,
    ))
}

/// The summary's charts (SVG): for each scale, the share of each role at the scale's best
/// end; for each yes/no, the share saying yes; the themes' frequency.
pub fn charts(s: &Summary) -> Vec<String> {
    let share = |part: usize, whole: usize| {
        (part * 100)
            .checked_div(whole)
            .and_then(|p| i64::try_from(p).ok())
            .unwrap_or(0)
    };
    let mut out = Vec::new();
    for q in &s.questions {
        let shown: Vec<&FigureView> = q.groups.iter().filter(|g| g.n.is_some()).collect();
        if shown.is_empty() {
            continue;
        }
        let (title, pick) = match &q.direction {
            Some(direction) => (
                format!("{}: share at the best end ({direction})", q.text),
                0usize,
            ),
            None => (format!("{}: share saying yes", q.text), 0usize),
        };
        let items: Vec<(String, i64, i64)> = shown
            .iter()
            .map(|g| {
                let n = g.n.unwrap_or(0);
                let best = g.counts.get(pick).map(|(_, c)| *c).unwrap_or(0);
                (
                    format!("{} (n={n})", g.role),
                    i64::try_from(best).unwrap_or(0),
                    share(best, n),
                )
            })
            .collect();
        out.push(crate::charts::bars(&title, "answers", &items));
    }
    let total = usize::try_from(s.responses).unwrap_or(0);
    let themes: Vec<(String, i64, i64)> = s
        .themes
        .iter()
        .map(|t| {
            let n: i64 = t.by_role.iter().filter_map(|(_, n)| *n).sum();
            (
                t.label.clone(),
                n,
                share(usize::try_from(n).unwrap_or(0), total),
            )
        })
        .filter(|(_, n, _)| *n > 0)
        .collect();
    if !themes.is_empty() {
        out.push(crate::charts::bars(
            "Themes in the free-text answers (share of responses)",
            "answers",
            &themes,
        ));
    }
    out
}

/// A free-text answer with the themes coded in it, for the person who checks the coding.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodedAnswer {
    pub response: String,
    pub question: String,
    pub role: String,
    pub text: String,
    /// (theme, label, the phrase that triggered it or "set by a person")
    pub themes: Vec<(String, String, String)>,
}

/// The free-text answers of a campaign with their themes (the district's leaders).
pub async fn coded_answers(
    ctx: &crate::context::Ctx,
    id: &str,
) -> WebResult<(CampaignRow, Vec<CodedAnswer>)> {
    let c = campaign_for(ctx, id, triad_domain::policy::RecordClass::Shared).await?;
    let instrument = instrument_of(&c)?;
    let mut conn = ctx.state.db.acquire().await?;
    let answers = store::answers(&mut conn, &c.id, Page::ALL).await?;
    let codings = store::codings(&mut conn, &c.id).await?;
    let codebook = rules::seed_codebook();
    let label = |key: &str| {
        codebook
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.label.clone())
            .unwrap_or_default()
    };
    let out = answers
        .into_iter()
        .filter(|a| {
            instrument
                .question(&a.question_key)
                .is_some_and(|q| q.kind == QuestionKind::Text)
        })
        .filter_map(|a| {
            let text = a.value_text.clone()?;
            let themes = codings
                .iter()
                .filter(|k| {
                    k.response_id == a.response_id && k.question_key == a.question_key && !k.removed
                })
                .map(|k| {
                    let why = k
                        .phrase
                        .clone()
                        .map(|p| format!("“{p}”"))
                        .unwrap_or_else(|| "set by a person".into());
                    (k.theme.clone(), label(&k.theme), why)
                })
                .collect();
            Some(CodedAnswer {
                role: role_of(&a).label().into(),
                response: a.response_id,
                question: a.question_key,
                text,
                themes,
            })
        })
        .take(500)
        .collect();
    Ok((c, out))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CodingInput {
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub theme: String,
    /// add or remove
    #[serde(default)]
    pub action: String,
}

/// A person corrects the coding of one answer: adds a theme the phrases missed, or removes
/// one they found wrongly. Corrections count in the theme figures from then on.
pub async fn correct_coding(
    ctx: &crate::context::Ctx,
    id: &str,
    input: &CodingInput,
) -> WebResult<()> {
    let c = campaign_acting(
        ctx,
        id,
        triad_domain::policy::RecordClass::Shared,
        triad_domain::policy::Action::Change,
    )
    .await?;
    let mut invalid = Invalid::default();
    if !rules::seed_codebook().iter().any(|t| t.key == input.theme) {
        invalid.push("theme", "choose a theme of the codebook");
    }
    let removed = match input.action.as_str() {
        "add" => false,
        "remove" => true,
        _ => {
            invalid.push("action", "add or remove");
            false
        }
    };
    invalid.into_result()?;
    let mut conn = ctx.state.db.acquire().await?;
    if !store::answered(&mut conn, &c.id, &input.response, &input.question).await? {
        return Err(WebError::NotFound);
    }
    drop(conn);
    let row = store::CodingRow {
        response_id: input.response.clone(),
        campaign_id: c.id.clone(),
        question_key: input.question.clone(),
        theme: input.theme.clone(),
        phrase: None,
        source: "person".into(),
        removed,
    };
    let mut tx = ctx.state.db.begin().await?;
    store::insert_codings(&mut tx, std::slice::from_ref(&row)).await?;
    let event = ctx
        .event("survey.coding.correct", triad_domain::audit::Outcome::Ok)
        .record("survey_campaign", &c.id)
        .content(&row)
        .tenant(c.district_id.as_deref().and_then(Id::parse), None);
    triad_store::audit::append(&mut tx, event, ctx.now).await?;
    tx.commit().await?;
    ctx.state.survey_summaries.forget(&c.id);
    Ok(())
}

/// Summaries computed lately, so a campaign of many thousand answers is not re-read on every
/// page view. An answer or a correction made through this instance drops its campaign's entry;
/// what other instances (or the command line) write shows within [`Cache::FRESH_FOR`].
#[derive(Default)]
pub struct Cache {
    entries: std::sync::Mutex<HashMap<(String, usize), (std::time::Instant, Summary)>>,
    computing: tokio::sync::Mutex<()>,
}

impl Cache {
    pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(30);

    fn entries(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, usize), (std::time::Instant, Summary)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, campaign: &str, min_group: usize) -> Option<Summary> {
        let entries = self.entries();
        let (at, s) = entries.get(&(campaign.to_string(), min_group))?;
        (at.elapsed() < Self::FRESH_FOR).then(|| s.clone())
    }

    fn put(&self, campaign: &str, min_group: usize, s: &Summary) {
        self.entries().insert(
            (campaign.to_string(), min_group),
            (std::time::Instant::now(), s.clone()),
        );
    }

    /// Forgets a campaign's summaries after a change to its answers or codings.
    pub fn forget(&self, campaign: &str) {
        self.entries().retain(|(c, _), _| c != campaign);
    }
}

/// Imports a spreadsheet export into a campaign from the web (the district's leaders).
pub async fn import_upload(
    ctx: &crate::context::Ctx,
    id: &str,
    map: &str,
    file: Option<axum::body::Bytes>,
) -> WebResult<super::import::SurveyImportReport> {
    let c = campaign_acting(
        ctx,
        id,
        triad_domain::policy::RecordClass::Shared,
        triad_domain::policy::Action::Change,
    )
    .await?;
    let bytes =
        file.ok_or_else(|| Invalid::one("file", "choose the spreadsheet export to import"))?;
    let map: Vec<String> = map
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let report = super::import::import(
        &ctx.state.db,
        &c,
        &bytes,
        &map,
        Some(ctx.actor.user),
        "web",
        ctx.now,
    )
    .await?;
    ctx.state.survey_summaries.forget(&c.id);
    Ok(report)
}

/// The form of a web import: the file comes as the `file` part.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImportForm {
    /// One "Header=question" per line.
    #[serde(default)]
    pub map: String,
}

/// Whether the person may import into the campaign: a quiet check for showing the form (the
/// import itself asks the policy again, on the record).
pub fn may_import(ctx: &crate::context::Ctx, s: &Summary) -> bool {
    use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource, Tenant};
    let Some(district) = s.district_id.as_deref().and_then(Id::parse) else {
        return false;
    };
    let resource = Resource::new(RecordClass::Shared, Tenant::district(district));
    decide(&ctx.actor, Action::Change, resource) == Decision::Allow
}
