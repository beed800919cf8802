//! The demo's program records beside the MOU: the grants paying for the first partnership's
//! officers, one ending within the year with no continuation plan yet (so the leaders' home
//! pages name it), one planned for, one years off; and the district's community resource
//! directory, three of its entries overdue for a check; and its SROs' training, some of them
//! short of this year's in-service hours or of the basic course.

use anyhow::Result;
use chrono::{Days, Months, NaiveDate};
use triad_domain::{Id, Timestamp};
use triad_store::community::ResourceRow;
use triad_store::funding::{self as store, GrantRow};
use triad_store::Tx;

/// What a demo grant pays for, its funder, amount in cents, first and last day, and plan.
type DemoGrant = (
    &'static str,
    &'static str,
    i64,
    NaiveDate,
    NaiveDate,
    Option<&'static str>,
);

pub async fn generate(
    tx: &mut Tx,
    parties: crate::demo_mou::Parties,
    sros: &[(Id, Id)],
    now: Timestamp,
) -> Result<()> {
    training(tx, sros, parties.supervisor, now).await?;
    let today = now.to_datetime().date_naive();
    let author = parties.leader.or(parties.supervisor);
    let Some(author) = author else {
        return Ok(());
    };
    let months_ago = |n| today.checked_sub_months(Months::new(n)).unwrap_or(today);
    let months_on = |n| today.checked_add_months(Months::new(n)).unwrap_or(today);
    let grants: [DemoGrant; 3] = [
        (
            "SRO position at the high school",
            "COPS Hiring Program, U.S. Department of Justice",
            37_500_000,
            months_ago(27),
            months_on(9),
            None,
        ),
        (
            "Threat assessment training for the partners",
            "State school safety grant",
            4_800_000,
            months_ago(10),
            months_on(14) + Days::new(10),
            Some("The district's safety budget carries the yearly training from next July; the agency sends its trainer at its own cost."),
        ),
        (
            "Second SRO for the middle schools",
            "County public safety fund",
            18_000_000,
            months_ago(6),
            months_on(30),
            None,
        ),
    ];
    for (covers, funder, amount_cents, starts, ends, plan) in grants {
        let id = Id::new();
        store::insert(
            &mut *tx,
            &GrantRow {
                id: id.to_string(),
                partnership_id: parties.partnership.to_string(),
                covers: covers.into(),
                funder: funder.into(),
                amount_cents,
                starts_on: starts.to_string(),
                ends_on: ends.to_string(),
                plan: None,
                plan_by: None,
                plan_at: None,
                created_by: author.to_string(),
                created_at: now.millis(),
            },
        )
        .await?;
        if let Some(plan) = plan {
            store::set_plan(&mut *tx, id, plan, author, now.millis()).await?;
        }
    }
    directory(tx, parties.district, author, now).await
}

/// Services as a district would list them: (name, category, contact, hours, languages, who
/// it serves, days since last checked).
const SERVICES: &[(&str, &str, &str, &str, &str, &str, u64)] = &[
    (
        "County Food Bank",
        "food",
        "555-0140 · 410 Mill Street",
        "Tuesday and Thursday 10 to 6",
        "English, Spanish",
        "Any family of the county; no papers asked",
        20,
    ),
    (
        "Weekend backpack program",
        "food",
        "The school counselor's office",
        "Fridays during the school year",
        "English, Spanish",
        "Students who may go hungry over the weekend",
        45,
    ),
    (
        "988 Suicide and Crisis Lifeline",
        "crisis",
        "Call or text 988",
        "Always",
        "English, Spanish, interpreters for others",
        "Anyone in crisis",
        30,
    ),
    (
        "Mobile crisis team",
        "crisis",
        "555-0199 (county behavioral health)",
        "Always",
        "English, Spanish",
        "A child or adult in a mental health crisis, at home or at school",
        400,
    ),
    (
        "Family counseling center",
        "mental_health",
        "555-0122 · familycounseling.example.org",
        "Weekdays 8 to 7",
        "English, Spanish, Vietnamese",
        "Children and families; sliding fee",
        90,
    ),
    (
        "Child protective services intake",
        "child_protective",
        "State hotline 1-800-555-0111",
        "Always",
        "English, Spanish",
        "Anyone who suspects abuse or neglect (staff are mandated reporters)",
        60,
    ),
    (
        "Teen court",
        "youth_court",
        "555-0175 · juvenile court clerk",
        "Hearings Tuesday evenings",
        "English",
        "First-time minor offenses referred by the SRO or the court",
        250,
    ),
    (
        "Youth substance use program",
        "substance_use",
        "555-0160",
        "Weekdays 9 to 5",
        "English",
        "Ages 12 to 18 and their parents",
        120,
    ),
    (
        "Emergency shelter and housing help",
        "housing",
        "211 · or 555-0133",
        "Always",
        "English, Spanish",
        "Families without a safe place to stay",
        300,
    ),
    (
        "Parent support group",
        "family_support",
        "555-0150 · meets in the library",
        "First Monday of the month, 6 pm",
        "English, Spanish",
        "Parents and caregivers",
        15,
    ),
];

async fn directory(tx: &mut Tx, district: Id, author: Id, now: Timestamp) -> Result<()> {
    let today = now.to_datetime().date_naive();
    for (name, category, contact, hours, languages, serves, days) in SERVICES {
        let verified = today - Days::new(*days);
        triad_store::community::put(
            &mut *tx,
            &ResourceRow {
                id: Id::new().to_string(),
                district_id: district.to_string(),
                name: (*name).into(),
                category: (*category).into(),
                contact: (*contact).into(),
                hours: Some((*hours).into()),
                languages: Some((*languages).into()),
                eligibility: Some((*serves).into()),
                verified_on: verified.to_string(),
                verified_by: author.to_string(),
                created_at: now.millis(),
                updated_at: now.millis(),
            },
        )
        .await?;
    }
    Ok(())
}

/// The SROs' courses (by user and agency): all took a basic course, the first two in full; the
/// first met this year's in-service hours with a course taken beside a principal, the second
/// has half of them, the rest none.
async fn training(
    tx: &mut Tx,
    sros: &[(Id, Id)],
    supervisor: Option<Id>,
    now: Timestamp,
) -> Result<()> {
    let today = now.to_datetime().date_naive();
    let this_year = |month: u32| {
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), month, 10)
            .filter(|d| *d <= today)
            .unwrap_or(today)
    };
    for (n, (user, agency)) in sros.iter().enumerate() {
        let Some(person) = triad_store::auth::user_by_id(&mut *tx, *user)
            .await?
            .and_then(|u| u.person_id)
        else {
            continue;
        };
        let basic_hours = if n < 2 { 1200 } else { 800 };
        let mut courses = vec![(
            "Basic School Resource Officer course",
            "State police-training academy",
            "basic",
            basic_hours,
            NaiveDate::from_ymd_opt(2018, 6, 15).unwrap_or(today),
            false,
        )];
        if n == 0 {
            courses.push((
                "Threat assessment teams",
                "U.S. Department of Justice",
                "in_service",
                160,
                this_year(2),
                true,
            ));
            courses.push((
                "Adolescent development and de-escalation",
                "NASRO (National Association of School Resource Officers)",
                "in_service",
                240,
                this_year(4),
                false,
            ));
        } else if n == 1 {
            courses.push((
                "Adolescent development and de-escalation",
                "NASRO (National Association of School Resource Officers)",
                "in_service",
                200,
                this_year(3),
                false,
            ));
        }
        for (title, provider, counts, tenths, on, joint) in courses {
            triad_store::training::insert(
                &mut *tx,
                &triad_store::training::TrainingRow {
                    id: Id::new().to_string(),
                    person_id: person.clone(),
                    agency_id: agency.to_string(),
                    title: title.into(),
                    provider: provider.into(),
                    counts: counts.into(),
                    tenths,
                    completed_on: on.to_string(),
                    joint,
                    certificate_key: None,
                    certificate_sha256: None,
                    certificate_type: None,
                    recorded_by: supervisor.unwrap_or(*user).to_string(),
                    created_at: now.millis(),
                    self_recorded: false,
                    voided_at: None,
                    void_reason: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// What the demo's evaluator wrote of the practices the records cannot show: (years back,
/// item, rating, reason).
const DEMO_RATINGS: &[(i64, u8, &str, &str)] = &[
    (1, 4, "partly_met", "The principal and the SRO agree on sanctions for fights, not yet for thefts; the prosecutor is called case by case."),
    (1, 6, "met", "Interviews with two assistant principals: the SRO is not asked to handle dress-code or tardiness matters."),
    (1, 7, "partly_met", "Crimes are reported to the SRO, but the SRO's own investigations reached the principal late twice this year."),
    (0, 4, "met", "Sanctions for criminal acts are agreed at the weekly meeting; the district attorney's liaison joined once a term."),
    (0, 6, "met", "Discipline stays with the school; the role guide was handed to every new teacher in August."),
    (0, 7, "met", "Both sides report promptly: the principal's log and the SRO's cases line up for the fall."),
];

/// The evaluator's ratings of this school year's checklists beside the instrument: (checklist,
/// item, rating, reason).
const DEMO_CHECKLIST_RATINGS: &[(&str, i64, &str, &str)] = &[
    (triad_domain::assessment::checklist::FEDERAL, 4, "partly_met", "Both SROs took the in-service course; only one trained beside a principal this year."),
    (triad_domain::assessment::checklist::FEDERAL, 5, "met", "The SROs' evaluations carry the principals' comments; the district recognised one at the spring board meeting."),
    (triad_domain::assessment::checklist::DISTRICT, 1, "met", "An SRO or the SSO was at the buses on every visit, morning and afternoon."),
];

/// The demo's assessments: the evaluator's ratings of this school year and, when the demo
/// holds more than one year, of the year before; the district's own practice (added by its
/// leader, when it has one) and the ratings of this year's checklists.
pub async fn assessments(
    tx: &mut Tx,
    parties: crate::demo_mou::Parties,
    evaluator: Id,
    now: Timestamp,
    years: u32,
) -> Result<()> {
    let year = i64::from(
        triad_domain::org::YearStart::AUGUST_FIRST
            .school_year_of(now.to_datetime().date_naive())
            .0,
    );
    let instrument = triad_domain::assessment::SRO_PROGRAM.key();
    for (n, (back, item, rating, note)) in DEMO_RATINGS.iter().enumerate() {
        if *back >= i64::from(years) {
            continue;
        }
        let row = triad_store::assessment::RatingRow {
            id: Id::from_parts(
                &format!("triad-demo/assessment/{}", parties.partnership),
                n as u64,
            )
            .to_string(),
            partnership_id: parties.partnership.to_string(),
            school_year: year - back,
            instrument: instrument.clone(),
            item: i64::from(*item),
            rating: (*rating).to_string(),
            // Practices the records cannot rate: nothing of theirs to keep beside it.
            computed: None,
            note: (*note).to_string(),
            rated_by: evaluator.to_string(),
            rated_by_name: "State Safety Center Evaluator".to_string(),
            rated_at: now.millis() - back * 365 * 86_400_000 - (n as i64) * 3_600_000,
        };
        triad_store::assessment::insert_rating(&mut *tx, &row).await?;
    }
    let Some(leader) = parties.leader else {
        return Ok(());
    };
    // One practice per district, however many of its programs the demo rates.
    let practice_id = Id::from_parts(
        &format!("triad-demo/district-practice/{}", parties.district),
        1,
    );
    let practice = triad_store::assessment::PracticeRow {
        id: practice_id.to_string(),
        district_id: parties.district.to_string(),
        number: 0,
        short: "Arrival and dismissal".to_string(),
        practice: "An SRO or a safety officer is at the bus loop at arrival and dismissal on every school day.".to_string(),
        related: "19,21".to_string(),
        added_by: leader.to_string(),
        added_at: now.millis() - 30 * 86_400_000,
        retired_at: None,
    };
    if triad_store::assessment::district_practice(&mut *tx, &practice.id)
        .await?
        .is_none()
    {
        triad_store::assessment::add_district_practice(&mut *tx, &practice).await?;
    }
    for (n, (checklist, item, rating, note)) in DEMO_CHECKLIST_RATINGS.iter().enumerate() {
        let row = triad_store::assessment::RatingRow {
            id: Id::from_parts(
                &format!("triad-demo/checklist-rating/{}", parties.partnership),
                n as u64,
            )
            .to_string(),
            partnership_id: parties.partnership.to_string(),
            school_year: year,
            instrument: triad_domain::assessment::checklist::stored_as(checklist),
            item: *item,
            rating: (*rating).to_string(),
            computed: None,
            note: (*note).to_string(),
            rated_by: evaluator.to_string(),
            rated_by_name: "State Safety Center Evaluator".to_string(),
            rated_at: now.millis() - (n as i64) * 3_600_000,
        };
        triad_store::assessment::insert_rating(&mut *tx, &row).await?;
    }
    Ok(())
}
