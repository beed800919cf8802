//! The demo's MOUs: in each district given records, its first partnership's MOU in two
//! versions: the one both sides signed last year, and this year's draft, in which two clauses
//! are back to the template's fill-ins (so its checklist shows what is missing).

use anyhow::Result;
use triad_domain::mou::{self as rules, Clause, ClauseKind, Side};
use triad_domain::{Id, Timestamp};
use triad_store::mou as store;
use triad_store::Tx;

/// Who the demo's MOU is between, and who signs for each side.
#[derive(Debug, Clone, Copy)]
pub struct Parties {
    pub district: Id,
    pub partnership: Id,
    pub leader: Option<Id>,
    pub supervisor: Option<Id>,
}

/// What the demo partners wrote where the template leaves a "[…]".
const FILLED: &[(&str, &str)] = &[
    ("[campus or campuses]", "every middle and high school of the district"),
    ("[the measures the partners choose]", "fewer arrests at school, more classroom presentations, and the partnership survey each spring"),
    ("[share]", "at least four fifths"),
    ("[the cases the partners list]", "a crime is committed, a weapon or drugs are found, or someone is in danger"),
    ("[supervisor's title]", "the school services sergeant"),
    ("[the district's and the agency's contacts]", "the district's director of safety and the agency's patrol lieutenant"),
    ("[number]", "five"),
    ("[other duties]", "reports the program's activity to the district each month"),
    ("[name or number of the procedure]", "General Order 4.12"),
    ("[name or number]", "General Order 4.10"),
    ("[names or numbers]", "General Orders 1.3, 4.14 and 4.15"),
    ("[when]", "before the student is questioned"),
    ("[the laws and the district's records policy]", "the federal student-privacy law, the state's juvenile-records law and board policy 5125"),
    ("[the supports the partners agree]", "their case manager present"),
    ("[the regulation or a modified uniform]", "the agency's regulation uniform"),
    ("[from when to when]", "from 7:15 to 3:45"),
    ("[the events covered]", "home football games, graduation and the spring dances"),
    ("[party]", "the district"),
    ("[years]", "three"),
    ("[basic hours]", "120"),
    ("[yearly hours]", "24"),
    ("[a joint training]", "the state school-safety conference"),
    ("[period]", "year"),
    ("[term]", "two years"),
    ("[the share of each party]", "the district pays three quarters of the officer's pay in the school year, the agency the rest"),
];

fn written(kind: ClauseKind) -> String {
    FILLED
        .iter()
        .fold(rules::template(kind).to_string(), |text, (mark, words)| {
            text.replace(mark, words)
        })
}

const DAY_MS: i64 = 86_400_000;

pub async fn generate(tx: &mut Tx, parties: Parties, now: Timestamp) -> Result<()> {
    let (Some(leader), Some(supervisor)) = (parties.leader, parties.supervisor) else {
        return Ok(());
    };
    let signed_on = now.millis() - 300 * DAY_MS;
    for (side, user) in [(Side::District, leader), (Side::Agency, supervisor)] {
        store::set_signatory(
            &mut *tx,
            parties.partnership,
            side.code(),
            user,
            user,
            signed_on - DAY_MS,
        )
        .await?;
    }
    let last_year: Vec<Clause> = ClauseKind::ALL
        .into_iter()
        .map(|kind| Clause {
            kind,
            text: written(kind),
        })
        .collect();
    let this_year: Vec<Clause> = last_year
        .iter()
        .map(|c| Clause {
            kind: c.kind,
            text: match c.kind {
                ClauseKind::Training | ClauseKind::StudentRights => rules::template(c.kind).into(),
                ClauseKind::ReviewSchedule => format!(
                    "{} The review in January also looks at the year's arrests and referrals.",
                    c.text
                ),
                _ => c.text.clone(),
            },
        })
        .collect();
    let v1 = Id::from_parts(&format!("triad-demo/mou/{}", parties.partnership), 1);
    let v2 = Id::from_parts(&format!("triad-demo/mou/{}", parties.partnership), 2);
    for (id, number, based_on, clauses, at) in [
        (v1, 1, None, &last_year, signed_on - 30 * DAY_MS),
        (v2, 2, Some(v1), &this_year, now.millis() - 20 * DAY_MS),
    ] {
        let row = store::VersionRow {
            id: id.to_string(),
            partnership_id: parties.partnership.to_string(),
            number,
            based_on: based_on.map(|b| b.to_string()),
            created_by: leader.to_string(),
            created_at: at,
            updated_at: at,
            signed_at: None,
        };
        store::insert_version(&mut *tx, &row).await?;
        let written: Vec<(&str, &str)> = clauses
            .iter()
            .map(|c| (c.kind.code(), c.text.as_str()))
            .collect();
        store::insert_clauses(&mut *tx, id, &written).await?;
    }
    let hash = rules::content_hash(&last_year);
    for (side, user, name, at) in [
        (
            Side::District,
            leader,
            "district leader",
            signed_on - DAY_MS,
        ),
        (Side::Agency, supervisor, "agency supervisor", signed_on),
    ] {
        let signer_name = triad_store::auth::user_by_id(&mut *tx, user)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| name.to_string());
        let row = store::SignatureRow {
            version_id: v1.to_string(),
            side: side.code().into(),
            signer_id: user.to_string(),
            signer_name,
            signed_at: at,
            content_hash: hash.clone(),
            acknowledged_missing: false,
        };
        store::insert_signature(&mut *tx, &row).await?;
    }
    store::mark_signed(&mut *tx, v1, signed_on).await?;
    Ok(())
}
