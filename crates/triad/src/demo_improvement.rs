//! The demo's improvement cycle, in each district given records: last school year's survey
//! gap between SROs and administrators accepted as a finding (with the gap the survey really
//! shows, so this year's survey tells whether it moved), this year's missed agency briefings
//! accepted too, and a plan in progress answering both: steps done, under way, planned, and
//! one late, owned by the district's principals, an SRO and the agency's supervisor.

use anyhow::Result;
use chrono::Days;
use triad_domain::improvement::{PlanLevel, StepStatus};
use triad_domain::surveys::{self as rules, RespondentRole, Value};
use triad_domain::{Id, Timestamp};
use triad_store::improvement::{self as store, FindingRow, PlanRow};
use triad_store::paging::Page;
use triad_store::Tx;

/// The gap between SROs and administrators on the relationship question of a campaign, as its
/// analysis computes it.
async fn relationship_gap(tx: &mut Tx, campaign: &str) -> Result<Option<rules::Gap>> {
    let instrument = rules::sro_partnership();
    let Some(question) = instrument.question("relationship") else {
        return Ok(None);
    };
    let answers = triad_store::surveys::answers(&mut *tx, campaign, Page::ALL).await?;
    let values: Vec<(RespondentRole, Value)> = answers
        .iter()
        .filter(|a| a.question_key == "relationship")
        .filter_map(|a| {
            Some((
                RespondentRole::from_code(&a.role)?,
                Value::Number(a.value_number?),
            ))
        })
        .collect();
    let min_group = usize::try_from(triad_app::surveys::campaigns::DEFAULT_MIN_GROUP)?;
    let figures = rules::summarise(question, &values, min_group);
    Ok(rules::gap(
        question,
        &figures,
        RespondentRole::Sro,
        RespondentRole::Administrator,
    ))
}

/// One step of the demo plan: title, owner (an index into the owners), days from today it is
/// due (negative: past), where it stands, and its note.
type DemoStep = (&'static str, usize, i64, StepStatus, &'static str);

const GAP_STEPS: &[DemoStep] = &[
    (
        "Put a standing weekly meeting with the SRO on each principal's calendar",
        0,
        -30,
        StepStatus::Done,
        "On every calendar since October.",
    ),
    (
        "Walk new assistant principals through the role guide",
        1,
        -10,
        StepStatus::Planned,
        "",
    ),
    (
        "Share the role guide at the next faculty meeting",
        2,
        14,
        StepStatus::UnderWay,
        "Slides ready; the meeting is on the 12th.",
    ),
    (
        "Go over the spring survey's results with both sides",
        0,
        120,
        StepStatus::Planned,
        "",
    ),
];

const BRIEFING_STEPS: &[DemoStep] = &[(
    "Move the Tuesday briefing to 7:00, before the first bell",
    3,
    21,
    StepStatus::UnderWay,
    "Trying it for the rest of the term.",
)];

pub async fn generate(
    tx: &mut Tx,
    parties: crate::demo_mou::Parties,
    seed: u64,
    owners: &[Id],
    now: Timestamp,
) -> Result<()> {
    let Some(leader) = parties.leader else {
        return Ok(());
    };
    if owners.len() < 4 {
        return Ok(());
    }
    let leader_name = triad_store::auth::user_by_id(&mut *tx, leader)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let today = now.to_datetime().date_naive();
    let year = i64::from(
        triad_domain::org::YearStart::AUGUST_FIRST
            .school_year_of(today)
            .0,
    );
    // The program's own records: one plan per program, however many the demo rates.
    let id = |what: &str, n: u64| {
        Id::from_parts(
            &format!("triad-demo/{seed}/{}/{what}", parties.partnership),
            n,
        )
    };
    // Last fall's survey of the district (made by the demo's surveys, for the first district).
    let last_year_survey = Id::from_parts(&format!("triad-demo/{seed}/survey"), 0).to_string();
    let gap = relationship_gap(tx, &last_year_survey).await?;
    let finding =
        |n: u64, year: i64, source: String, title: &str, detail: String, measure| FindingRow {
            id: id("finding", n).to_string(),
            partnership_id: parties.partnership.to_string(),
            school_year: year,
            source,
            status: "accepted".into(),
            title: title.into(),
            detail,
            measure,
            decided_by: leader.to_string(),
            decided_by_name: leader_name.clone(),
            decided_at: now.millis() - (n as i64 + 1) * 7 * 86_400_000,
        };
    let mut findings = Vec::new();
    if let Some(g) = &gap {
        findings.push(finding(
            0,
            year - 1,
            format!("gap:{last_year_survey}:relationship:sro:administrator"),
            "Administrators rate the SRO relationship weaker than SROs do",
            format!("{} in last fall's partnership survey.", g.words),
            Some(g.size),
        ));
    }
    findings.push(finding(
        1,
        year,
        "item:12".into(),
        "SROs miss the agency's briefings",
        "Most SROs have not been to a briefing this fall: they hear of changes second hand.".into(),
        None,
    ));
    for f in &findings {
        store::insert_finding(&mut *tx, f).await?;
    }
    let mut n = 0u64;
    let mut entry = |level: PlanLevel, parent: Option<Id>, title: &str, step: Option<&DemoStep>| {
        n += 1;
        let due = step.and_then(|s| {
            let days = Days::new(s.2.unsigned_abs());
            if s.2 < 0 {
                today.checked_sub_days(days)
            } else {
                today.checked_add_days(days)
            }
        });
        let status = step.map_or(StepStatus::Planned, |s| s.3);
        let owner = step.and_then(|s| owners.get(s.1)).map(|o| o.to_string());
        PlanRow {
            id: id("plan", n).to_string(),
            partnership_id: parties.partnership.to_string(),
            level: level.code().into(),
            parent_id: parent.map(|p| p.to_string()),
            title: title.into(),
            owner_id: owner,
            owner_name: None,
            due_on: due.map(|d| d.to_string()),
            status: status.code().into(),
            note: step.map_or("", |s| s.4).into(),
            created_at: now.millis() - 40 * 86_400_000 + n as i64 * 60_000,
            updated_by_name: leader_name.clone(),
            updated_at: now.millis() - 86_400_000,
        }
    };
    let plans = [
        (
            findings.first().filter(|_| gap.is_some()),
            "SROs and administrators see the partnership the same way",
            "Every campus holds its weekly principal meeting with the SRO",
            GAP_STEPS,
        ),
        (
            findings.last(),
            "Every SRO hears the agency's briefings",
            "Each SRO at a briefing at least every fourth school week",
            BRIEFING_STEPS,
        ),
    ];
    let mut rows = Vec::new();
    let mut links = Vec::new();
    for (answers, goal, objective, steps) in plans {
        let goal = entry(PlanLevel::Goal, None, goal, None);
        if let Some(f) = answers {
            links.push((goal.id.clone(), f.id.clone()));
        }
        let objective = entry(PlanLevel::Objective, Id::parse(&goal.id), objective, None);
        let parent = Id::parse(&objective.id);
        rows.push(goal);
        rows.push(objective);
        for step in steps {
            rows.push(entry(PlanLevel::Step, parent, step.0, Some(step)));
        }
    }
    for row in &rows {
        store::insert_plan_entry(&mut *tx, row).await?;
    }
    for (plan, finding) in &links {
        store::insert_link(&mut *tx, plan, finding).await?;
    }
    Ok(())
}
