//! Campaigns: starting one, answering it anonymously (a one-time link, or in person), and
//! the daily audit entry of how many answers came, which names no respondent.

use super::analysis::instrument_of;
use crate::change::Change;
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use std::collections::HashMap;
use triad_domain::surveys::{self as rules, Instrument, QuestionKind, RespondentRole};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::surveys::{self as store, CampaignRow, ResponseRow};
use triad_store::Db;

/// The setting that holds the smallest group shown.
pub const MIN_GROUP_SETTING: &str = "surveys.min_group";
pub const DEFAULT_MIN_GROUP: i64 = 5;

pub async fn min_group(db: &Db) -> AppResult<usize> {
    let n = triad_store::settings::get_i64(
        &mut db.acquire().await?,
        MIN_GROUP_SETTING,
        DEFAULT_MIN_GROUP,
    )
    .await?;
    Ok(usize::try_from(n.max(1)).unwrap_or(5))
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
    /// The title in Spanish (required when students or parents are asked).
    #[serde(default)]
    pub name_es: String,
    /// The notice in Spanish (required when students or parents are asked).
    #[serde(default)]
    pub notice_es: String,
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
) -> AppResult<(CampaignRow, Vec<String>)> {
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
    // Families read it in Spanish too: the title and the notice, both.
    let name_es = Some(input.name_es.trim().to_string()).filter(|n| !n.is_empty());
    let notice_es = Some(input.notice_es.trim().to_string()).filter(|n| !n.is_empty());
    if minors && name_es.is_none() {
        invalid.push(
            "name_es",
            "students or parents are asked: give the title in Spanish too",
        );
    }
    if minors && notice_es.is_none() {
        invalid.push(
            "notice_es",
            "students or parents are asked: give the notice in Spanish too",
        );
    }
    if name_es.as_ref().is_some_and(|n| n.chars().count() > 120) {
        invalid.push("name_es", "at most 120 characters");
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
        name_es,
        notice_es,
    };
    let mut tx = Change::open(db, now).await?;
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
    tx.audit(event);
    tx.commit().await?;
    Ok((row, secrets))
}

/// The form of an anonymous answer: the question keys and what was typed or chosen.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnswerInput {
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

/// The day it is for a campaign: its district's, whose dates it opens and closes on and whose
/// daily counts it is shown in (UTC for a campaign of no district).
async fn campaign_today(db: &Db, campaign: &CampaignRow, now: Timestamp) -> AppResult<String> {
    let district = match campaign.district_id.as_deref().and_then(Id::parse) {
        Some(id) => triad_store::org::district(&mut db.acquire().await?, id).await?,
        None => None,
    };
    Ok(match district {
        Some(d) => crate::campus::Local::of(&d).date(now).to_string(),
        None => now.to_datetime().date_naive().to_string(),
    })
}

/// Records an anonymous answer: within the campaign's dates, with a one-time token if the
/// campaign uses them (marked used, never linked to the answer). Nothing about the person,
/// their address or device is kept; the audit entry names the campaign only.
pub async fn answer(
    db: &Db,
    campaign: &CampaignRow,
    input: &AnswerInput,
    now: Timestamp,
) -> AppResult<()> {
    let today = campaign_today(db, campaign, now).await?;
    if today < campaign.opens_on {
        return Err(AppError::Conflict(format!(
            "this survey opens on {}",
            campaign.opens_on
        )));
    }
    if today > campaign.closes_on {
        return Err(AppError::Conflict(format!(
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
    // Anonymous: an answer is not on the audit trail one by one, which would tie it to a
    // time; each day's count is (`audit_answer_days`).
    let mut tx = db.begin().await?;
    if campaign.one_time_tokens {
        let token = triad_store::auth::secret_hash(field("token").trim());
        if !store::use_token(&mut tx, &campaign.id, &token).await? {
            return Err(AppError::Conflict(
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
pub async fn audit_answer_days(db: &Db, now: Timestamp) -> AppResult<usize> {
    // Answers are counted on their district's day. A day is over in every time zone once the
    // UTC day after it has ended too: count the days before yesterday (UTC).
    let utc_today = now.to_datetime().date_naive();
    let before = utc_today.pred_opt().unwrap_or(utc_today).to_string();
    let days = store::unaudited_days(&mut db.acquire().await?, &before).await?;
    let mut written = 0;
    for d in days {
        let mut tx = Change::open(db, now).await?;
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
        tx.audit(event);
        tx.commit().await?;
        written += 1;
    }
    Ok(written)
}

/// A campaign by the code its public link carries; anything else is not found.
pub async fn by_public_code(db: &Db, code: &str) -> AppResult<CampaignRow> {
    store::campaign(&mut db.acquire().await?, code)
        .await?
        .filter(|c| c.public_code == code)
        .ok_or(AppError::NotFound)
}
