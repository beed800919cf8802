//! The demo's program records beside the MOU: the grants paying for the first partnership's
//! officers, one ending within the year with no continuation plan yet (so the leaders' home
//! pages name it), one planned for, one years off.

use anyhow::Result;
use chrono::{Days, Months, NaiveDate};
use triad_domain::{Id, Timestamp};
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
    now: Timestamp,
) -> Result<()> {
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
    Ok(())
}
