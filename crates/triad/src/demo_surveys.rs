//! Two yearly partnership surveys of the demo district (the seed's four questions), with
//! answers that tell a story: SROs rate the relationship stronger than administrators and
//! educators do, and administrators come closer in the second year after weekly meetings.

use anyhow::Result;
use rand::rngs::StdRng;
use rand::Rng;
use triad_app::surveys::import::{answer_row, store_answers};
use triad_domain::surveys::{self as rules, RespondentRole};
use triad_domain::{Id, Timestamp};
use triad_store::surveys::{self as store, CampaignRow, ResponseRow};
use triad_store::Tx;

/// Why people scored the relationship as they did, strongest first (the seed's tone).
const WHY: &[&[&str]] = &[
    &[
        "Full support from upper admin and we meet weekly",
        "Trust built over years; the SRO eats lunch with students",
    ],
    &[
        "Good communication, but roles in a crisis are not clear",
        "We talk, but the new principal is still learning the MOU",
    ],
    &[
        "The SRO is asked to handle discipline and dress code",
        "Information sharing is one way; no regular meetings",
    ],
    &[
        "The disconnect between the SRO and administration is large",
        "Administrator turnover every year; no training together",
    ],
];

const NOTES: &[&str] = &[
    "Joint training with NASRO helped",
    "Drills went well this year",
    "We need a sit down about roles",
    "Email updates after every incident",
    "Included in games and events",
];

/// (role, how many answer, the relationship score they lean to in year 1 and year 2)
const PEOPLE: &[(RespondentRole, usize, [f64; 2])] = &[
    (RespondentRole::Sro, 12, [1.6, 1.4]),
    (RespondentRole::Sso, 7, [2.0, 1.9]),
    (RespondentRole::Administrator, 22, [2.8, 2.2]),
    (RespondentRole::Educator, 64, [2.7, 2.5]),
];

pub async fn generate(
    tx: &mut Tx,
    rng: &mut StdRng,
    seed: u64,
    district: Id,
    now: Timestamp,
) -> Result<()> {
    let instrument = rules::sro_partnership();
    let this_year = now.to_datetime().date_naive();
    for (year, back) in [(0usize, 1i32), (1, 0)] {
        let opens =
            chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&this_year) - back, 9, 1)
                .unwrap_or(this_year);
        let closes = opens + chrono::Duration::days(30);
        let campaign = CampaignRow {
            id: Id::from_parts(&format!("triad-demo/{seed}/survey"), year as u64).to_string(),
            name: format!("Partnership survey {}", chrono::Datelike::year(&opens)),
            district_id: Some(district.to_string()),
            campus_id: None,
            instrument_key: instrument.key.clone(),
            instrument: serde_json::to_string(&instrument)?,
            audience: "sro sso administrator educator".into(),
            opens_on: opens.to_string(),
            closes_on: closes.to_string(),
            public_code: format!("demo{seed}y{year}"),
            one_time_tokens: false,
            notice: None,
            created_by: None,
            created_at: now.millis(),
            name_es: None,
            notice_es: None,
        };
        store::insert_campaign(&mut *tx, &campaign).await?;
        let mut n = 0u64;
        for (role, count, lean) in PEOPLE {
            for _ in 0..*count {
                n += 1;
                let id = Id::from_parts(&format!("triad-demo/{seed}/survey/{year}"), n).to_string();
                let score = (lean[year] + rng.gen_range(-1.0..1.0))
                    .round()
                    .clamp(1.0, 4.0);
                let why = WHY[score as usize - 1][rng.gen_range(0..2)];
                let open = score <= 2.0 || rng.gen_bool(0.3);
                let note = NOTES[rng.gen_range(0..NOTES.len())];
                let response = ResponseRow {
                    id: id.clone(),
                    campaign_id: campaign.id.clone(),
                    role: role.code().into(),
                    role_text: None,
                    source: "web".into(),
                    import_key: None,
                    original: None,
                    section: None,
                    answered_on: (opens + chrono::Duration::days(rng.gen_range(0..30))).to_string(),
                };
                store::insert_response(&mut *tx, &response).await?;
                let answers = vec![
                    answer_row(
                        &id,
                        &campaign.id,
                        "relationship",
                        Some(rules::Value::Number(score)),
                        &score.to_string(),
                        &[],
                    ),
                    answer_row(
                        &id,
                        &campaign.id,
                        "relationship_why",
                        Some(rules::Value::Text(why.into())),
                        why,
                        &[],
                    ),
                    answer_row(
                        &id,
                        &campaign.id,
                        "open_accepting",
                        Some(rules::Value::Bool(open)),
                        if open { "yes" } else { "no" },
                        &[],
                    ),
                    answer_row(
                        &id,
                        &campaign.id,
                        "open_accepting_note",
                        Some(rules::Value::Text(note.into())),
                        note,
                        &[],
                    ),
                ];
                store_answers(&mut *tx, &instrument, &answers).await?;
            }
        }
    }
    Ok(())
}
