//! Survey campaigns, their anonymous responses and answers, one-time tokens, and codings.

use crate::paging::{after_cursor, Order, Page};
use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CampaignRow {
    pub id: String,
    pub name: String,
    pub district_id: Option<String>,
    pub campus_id: Option<String>,
    pub instrument_key: String,
    pub instrument: String,
    pub audience: String,
    pub opens_on: String,
    pub closes_on: String,
    pub public_code: String,
    pub one_time_tokens: bool,
    pub notice: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    /// The title and notice in Spanish, where the district wrote them.
    pub name_es: Option<String>,
    pub notice_es: Option<String>,
}

const CAMPAIGN: &str =
    "id, name, district_id, campus_id, instrument_key, instrument, audience, opens_on, \
    closes_on, public_code, one_time_tokens, notice, created_by, created_at, name_es, notice_es";

pub async fn insert_campaign<'c>(conn: impl Into<Conn<'c>>, c: &CampaignRow) -> StoreResult<()> {
    let mut conn: Conn = conn.into();
    let sql = format!("INSERT INTO survey_campaigns ({CAMPAIGN}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)");
    execute!(
        &mut conn,
        &sql,
        c.id.clone(),
        c.name.clone(),
        c.district_id.clone(),
        c.campus_id.clone(),
        c.instrument_key.clone(),
        c.instrument.clone(),
        c.audience.clone(),
        c.opens_on.clone(),
        c.closes_on.clone(),
        c.public_code.clone(),
        c.one_time_tokens,
        c.notice.clone(),
        c.created_by.clone(),
        c.created_at,
        c.name_es.clone(),
        c.notice_es.clone()
    )
    .map_err(|e| crate::StoreError::from(e).or_conflict("a campaign with that name exists"))?;
    Ok(())
}

/// A campaign by its id, its name or its public code.
pub async fn campaign<'c>(
    conn: impl Into<Conn<'c>>,
    id_name_or_code: &str,
) -> StoreResult<Option<CampaignRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {CAMPAIGN} FROM survey_campaigns WHERE id = $1 OR name = $1 OR public_code = $1"
    );
    Ok(fetch_optional!(
        &mut c,
        CampaignRow,
        &sql,
        id_name_or_code.to_string()
    )?)
}

/// A district's campaigns (and those of its campuses), newest first.
pub async fn of_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: &str,
    page: Page,
) -> StoreResult<Vec<CampaignRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$3",
        "survey_campaigns",
        "",
        &["opens_on", "created_at", "id"],
        Order::Descending,
        "district_id = $1",
    );
    let sql = format!("SELECT {CAMPAIGN} FROM survey_campaigns WHERE district_id = $1 AND {after} ORDER BY opens_on DESC, created_at DESC, id DESC LIMIT $2");
    Ok(fetch_all!(
        &mut c,
        CampaignRow,
        &sql,
        district.to_string(),
        page.limit,
        page.cursor()
    )?)
}

pub async fn insert_token<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    token_hash: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO survey_tokens (token_hash, campaign_id, used) VALUES ($1, $2, FALSE)",
        token_hash.to_string(),
        campaign.to_string()
    )?;
    Ok(())
}

/// Uses a one-time token of a campaign; yields false when it is unknown or already used.
pub async fn use_token<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    token_hash: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE survey_tokens SET used = TRUE WHERE token_hash = $1 AND campaign_id = $2 AND used = FALSE",
        token_hash.to_string(),
        campaign.to_string()
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResponseRow {
    pub id: String,
    pub campaign_id: String,
    pub role: String,
    pub role_text: Option<String>,
    pub source: String,
    pub import_key: Option<String>,
    pub original: Option<String>,
    pub section: Option<String>,
    pub answered_on: String,
}

/// Adds a response; yields false when an imported row is already there (same file, line).
pub async fn insert_response<'c>(conn: impl Into<Conn<'c>>, r: &ResponseRow) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "INSERT INTO survey_responses (id, campaign_id, role, role_text, source, import_key, original, section, answered_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (import_key) DO NOTHING",
        r.id.clone(),
        r.campaign_id.clone(),
        r.role.clone(),
        r.role_text.clone(),
        r.source.clone(),
        r.import_key.clone(),
        r.original.clone(),
        r.section.clone(),
        r.answered_on.clone()
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AnswerRow {
    pub response_id: String,
    pub campaign_id: String,
    pub question_key: String,
    pub value_number: Option<f64>,
    pub value_bool: Option<bool>,
    pub value_text: Option<String>,
    pub original: Option<String>,
    /// Flag codes, space-separated.
    pub flags: Option<String>,
}

/// Rows written by one multi-row statement: a response's answers go in one round trip.
const ROWS_PER_STATEMENT: usize = 500;

/// Stores answers, many to a statement.
pub async fn insert_answers<'c>(
    conn: impl Into<Conn<'c>>,
    answers: &[AnswerRow],
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let per_statement = crate::conn::rows_per_statement(c.engine(), 8, ROWS_PER_STATEMENT);
    for chunk in answers.chunks(per_statement) {
        let sql = format!(
            "INSERT INTO survey_answers (response_id, campaign_id, question_key, value_number, value_bool, \
             value_text, original, flags) VALUES {}",
            crate::conn::placeholders(chunk.len(), 8)
        );
        crate::run!(&mut c, |c| {
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q
                    .bind(a.response_id.clone())
                    .bind(a.campaign_id.clone())
                    .bind(a.question_key.clone())
                    .bind(a.value_number)
                    .bind(a.value_bool)
                    .bind(a.value_text.clone())
                    .bind(a.original.clone())
                    .bind(a.flags.clone());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// An answer with its respondent's role, for the analysis and exports.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RoleAnswer {
    pub response_id: String,
    pub role: String,
    pub role_text: Option<String>,
    pub section: Option<String>,
    pub question_key: String,
    pub value_number: Option<f64>,
    pub value_bool: Option<bool>,
    pub value_text: Option<String>,
    pub original: Option<String>,
    pub flags: Option<String>,
}

/// The answers of a page of a campaign's responses, in the order of the responses' random
/// ids (never the order they came in, which would tell when each was given).
pub async fn answers<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    responses: Page,
) -> StoreResult<Vec<RoleAnswer>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &responses,
        "$3",
        "survey_responses",
        "",
        &["id"],
        Order::Ascending,
        "campaign_id = $1",
    );
    let sql = format!(
        "SELECT a.response_id, r.role, r.role_text, r.section, a.question_key, a.value_number, a.value_bool, \
         a.value_text, a.original, a.flags FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
         WHERE a.campaign_id = $1 AND a.response_id IN \
         (SELECT id FROM survey_responses WHERE campaign_id = $1 AND {after} ORDER BY id LIMIT $2) \
         ORDER BY r.id, a.question_key"
    );
    Ok(fetch_all!(
        &mut c,
        RoleAnswer,
        &sql,
        campaign.to_string(),
        responses.limit,
        responses.cursor()
    )?)
}

/// A free-text answer, its respondent's role, the themes coded in it, and how many answers the
/// query found in all.
#[derive(Debug, Clone)]
pub struct TextAnswer {
    pub response_id: String,
    pub question_key: String,
    pub role: String,
    pub text: String,
    /// Every answer the query matched, not only this page's (the same on each answer).
    pub found: i64,
    /// The themes coded in it and not removed, by theme.
    pub themes: Vec<AnswerTheme>,
}

/// A theme coded in an answer, and the phrase that found it (`None`: a person set it).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerTheme {
    pub theme: String,
    pub phrase: Option<String>,
}

/// An answer with one of its themes (or none), as the statement returns it.
#[derive(sqlx::FromRow)]
struct TextAnswerRow {
    response_id: String,
    question_key: String,
    role: String,
    text: String,
    found: i64,
    theme: Option<String>,
    phrase: Option<String>,
}

/// What the themes page asks of a campaign's free-text answers.
#[derive(Debug, Clone)]
pub struct TextSearch<'a> {
    /// The questions whose answers are free text (choices are stored as text too).
    pub questions: &'a [String],
    /// Only answers coded with this theme (a removed coding does not count).
    pub theme: Option<&'a str>,
    /// The slice wanted (`None`: every answer found), counted from 0.
    pub slice: Option<std::ops::Range<i64>>,
}

/// A campaign's free-text answers with their themes, in the order of the responses' random ids
/// and then the question, each carrying how many matched in all. One statement, which pages in
/// the database when asked for a slice (a slice past the end comes back empty, without the
/// count) and joins the codings of the slice's answers alone, by their primary key.
pub async fn text_answers<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    search: TextSearch<'_>,
) -> StoreResult<Vec<TextAnswer>> {
    if search.questions.is_empty() {
        return Ok(Vec::new());
    }
    let mut c: Conn = conn.into();
    let (offset, limit) = match &search.slice {
        Some(slice) => (slice.start, (slice.end - slice.start).max(0)),
        None => (0, i64::MAX),
    };
    // The theme's test is in the text only when a theme is asked: a plan made once for the
    // text would otherwise carry it for every view.
    let theme = match search.theme {
        Some(_) => {
            "EXISTS (SELECT 1 FROM survey_codings k WHERE k.response_id = a.response_id \
             AND k.question_key = a.question_key AND k.theme = $2 AND NOT k.removed)"
        }
        None => "$2 = ''",
    };
    let matching = format!(
        "a.campaign_id = $1 AND a.question_key IN ({questions}) AND a.value_text IS NOT NULL \
         AND {theme}",
        questions = crate::conn::numbered(5, search.questions.len())
    );
    // The count is a subquery of its own (its `a` is its own table), computed once: counted
    // over the rows of the page (`COUNT(*) OVER ()`), every match was read and sorted before
    // the first row came back, where the index by response reads the page in order and stops.
    let sql = format!(
        "SELECT p.response_id, p.question_key, p.role, p.text, p.found, k.theme, k.phrase \
         FROM (SELECT a.response_id, a.question_key, r.role, a.value_text AS text, \
                 (SELECT COUNT(*) FROM survey_answers a WHERE {matching}) AS found \
               FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
               WHERE {matching} \
               ORDER BY a.response_id, a.question_key LIMIT $3 OFFSET $4) p \
         LEFT JOIN survey_codings k ON k.response_id = p.response_id \
           AND k.question_key = p.question_key AND NOT k.removed \
         ORDER BY p.response_id, p.question_key, k.theme"
    );
    let rows = crate::run!(&mut c, |c| {
        let mut q = sqlx::query_as::<_, TextAnswerRow>(&sql)
            .bind(campaign.to_string())
            .bind(search.theme.unwrap_or_default().to_string())
            .bind(limit)
            .bind(offset);
        for question in search.questions {
            q = q.bind(question.clone());
        }
        q.fetch_all(c).await
    })?;
    let mut answers: Vec<TextAnswer> = Vec::new();
    for row in rows {
        let theme = row.theme.map(|theme| AnswerTheme {
            theme,
            phrase: row.phrase,
        });
        match answers.last_mut() {
            Some(last)
                if last.response_id == row.response_id && last.question_key == row.question_key =>
            {
                last.themes.extend(theme)
            }
            _ => answers.push(TextAnswer {
                response_id: row.response_id,
                question_key: row.question_key,
                role: row.role,
                text: row.text,
                found: row.found,
                themes: theme.into_iter().collect(),
            }),
        }
    }
    Ok(answers)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CodingRow {
    pub response_id: String,
    pub campaign_id: String,
    pub question_key: String,
    pub theme: String,
    pub phrase: Option<String>,
    pub source: String,
    pub removed: bool,
}

/// Stores codings, many to a statement; a coding already stored for the same answer and theme
/// is replaced (as is an earlier one in `codings`: one statement may not touch a row twice).
pub async fn insert_codings<'c>(
    conn: impl Into<Conn<'c>>,
    codings: &[CodingRow],
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let mut last = std::collections::HashMap::new();
    for (i, k) in codings.iter().enumerate() {
        last.insert((&k.response_id, &k.question_key, &k.theme), i);
    }
    let kept: Vec<&CodingRow> = codings
        .iter()
        .enumerate()
        .filter(|(i, k)| last.get(&(&k.response_id, &k.question_key, &k.theme)) == Some(i))
        .map(|(_, k)| k)
        .collect();
    let per_statement = crate::conn::rows_per_statement(c.engine(), 7, ROWS_PER_STATEMENT);
    for chunk in kept.chunks(per_statement) {
        let sql = format!(
            "INSERT INTO survey_codings (response_id, campaign_id, question_key, theme, phrase, source, removed) \
             VALUES {} ON CONFLICT (response_id, question_key, theme) \
             DO UPDATE SET source = excluded.source, removed = excluded.removed, phrase = excluded.phrase",
            crate::conn::placeholders(chunk.len(), 7)
        );
        crate::run!(&mut c, |c| {
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q
                    .bind(k.response_id.clone())
                    .bind(k.campaign_id.clone())
                    .bind(k.question_key.clone())
                    .bind(k.theme.clone())
                    .bind(k.phrase.clone())
                    .bind(k.source.clone())
                    .bind(k.removed);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Theme counts by respondent role (codings a person removed do not count).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ThemeCount {
    pub theme: String,
    pub role: String,
    pub n: i64,
}

pub async fn theme_counts<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
) -> StoreResult<Vec<ThemeCount>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        ThemeCount,
        "SELECT k.theme, r.role, COUNT(DISTINCT k.response_id) AS n FROM survey_codings k \
         JOIN survey_responses r ON r.id = k.response_id WHERE k.campaign_id = $1 AND k.removed = FALSE \
         GROUP BY k.theme, r.role ORDER BY k.theme, r.role",
        campaign.to_string()
    )?)
}

pub async fn codings<'c>(conn: impl Into<Conn<'c>>, campaign: &str) -> StoreResult<Vec<CodingRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        CodingRow,
        "SELECT response_id, campaign_id, question_key, theme, phrase, source, removed FROM survey_codings \
         WHERE campaign_id = $1 ORDER BY response_id, question_key, theme",
        campaign.to_string()
    )?)
}

/// Whether a response of the campaign answered the question (for corrections).
pub async fn answered<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    response: &str,
    question: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = crate::fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM survey_answers WHERE campaign_id = $1 AND response_id = $2 AND question_key = $3",
        campaign.to_string(),
        response.to_string(),
        question.to_string()
    )?;
    Ok(n > 0)
}

/// How many gave each value to each question, by role: what the analysis needs, counted by
/// the database rather than read answer by answer. Free text is left out; a choice question's
/// answers are counted by their text.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ValueCount {
    pub question_key: String,
    pub role: String,
    pub value_number: Option<f64>,
    pub value_bool: Option<bool>,
    pub value_text: Option<String>,
    pub n: i64,
}

pub async fn value_counts<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    choice_questions: &[String],
) -> StoreResult<Vec<ValueCount>> {
    let mut c: Conn = conn.into();
    let mut rows = fetch_all!(
        &mut c,
        ValueCount,
        "SELECT a.question_key, r.role, a.value_number, a.value_bool, CAST(NULL AS TEXT) AS value_text, COUNT(*) AS n \
         FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
         WHERE a.campaign_id = $1 AND (a.value_number IS NOT NULL OR a.value_bool IS NOT NULL) \
         GROUP BY a.question_key, r.role, a.value_number, a.value_bool",
        campaign.to_string()
    )?;
    for key in choice_questions {
        rows.extend(fetch_all!(
            &mut c,
            ValueCount,
            "SELECT a.question_key, r.role, CAST(NULL AS DOUBLE PRECISION) AS value_number, CAST(NULL AS BOOLEAN) AS value_bool, \
             a.value_text, COUNT(*) AS n FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
             WHERE a.campaign_id = $1 AND a.question_key = $2 AND a.value_text IS NOT NULL \
             GROUP BY a.question_key, r.role, a.value_text",
            campaign.to_string(),
            key.to_string()
        )?);
    }
    Ok(rows)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RoleCount {
    pub role: String,
    pub n: i64,
}

/// Respondents by role.
pub async fn role_counts<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
) -> StoreResult<Vec<RoleCount>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        RoleCount,
        "SELECT role, COUNT(*) AS n FROM survey_responses WHERE campaign_id = $1 GROUP BY role",
        campaign.to_string()
    )?)
}

/// Counts one anonymous answer to a campaign on its day (the only trace of it beside the
/// answer itself: no time, no order). An answer counted after its day went to the audit
/// trail (one given at midnight, a clock behind) marks the day for another entry, with the
/// new total.
pub async fn count_answer<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    day: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO survey_answer_days (campaign_id, day, answers, audited) VALUES ($1, $2, 1, FALSE) \
         ON CONFLICT (campaign_id, day) DO UPDATE SET answers = survey_answer_days.answers + 1, audited = FALSE",
        campaign.to_string(),
        day.to_string()
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AnswerDay {
    pub campaign_id: String,
    pub district_id: Option<String>,
    pub day: String,
    pub answers: i64,
}

/// Days before `today` whose answers are counted but not yet on the audit trail.
pub async fn unaudited_days<'c>(
    conn: impl Into<Conn<'c>>,
    today: &str,
) -> StoreResult<Vec<AnswerDay>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        AnswerDay,
        "SELECT d.campaign_id, c.district_id, d.day, d.answers FROM survey_answer_days d \
         JOIN survey_campaigns c ON c.id = d.campaign_id \
         WHERE d.audited = FALSE AND d.day < $1 ORDER BY d.day, d.campaign_id",
        today.to_string()
    )?)
}

/// Marks a day's count as written to the audit trail; false if another instance did first.
pub async fn mark_day_audited<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    day: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "UPDATE survey_answer_days SET audited = TRUE WHERE campaign_id = $1 AND day = $2 AND audited = FALSE",
        campaign.to_string(),
        day.to_string()
    )? == 1)
}

/// How many responses of each role a campaign had before a day (YYYY-MM-DD): counts that
/// change once a day, so watching them cannot tell who just answered.
pub async fn role_counts_before<'c>(
    conn: impl Into<Conn<'c>>,
    campaign: &str,
    day: &str,
) -> StoreResult<Vec<RoleCount>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        RoleCount,
        "SELECT role, COUNT(*) AS n FROM survey_responses WHERE campaign_id = $1 AND answered_on < $2 GROUP BY role ORDER BY role",
        campaign.to_string(),
        day.to_string()
    )?)
}
