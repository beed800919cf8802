//! Incidents, evidence with photos and a signed custody history, campus bans and a term of
//! visitor sign-ins for the demo, so every page of the safety side has something true to show.

use anyhow::Result;
use chrono::{NaiveDate, TimeZone};
use rand::rngs::StdRng;
use rand::Rng;
use triad_domain::auth::Role;
use triad_domain::evidence::{link, CustodyKind, CustodyRecord, NewCustodyRecord};
use triad_domain::incidents::{Classification, IncidentKind};
use triad_domain::{Id, Timestamp};
use triad_store::instance::Instance;
use triad_store::Tx;

use crate::demo_activity::DemoOfficer;

/// What the demo needs to know about a campus.
pub struct DemoCampus {
    pub district: Id,
    pub campus: Id,
    pub principal: Id,
    pub sro: Option<(Id, Option<Id>)>,
}

/// The campuses of the demo with their principal and SRO (user, agency).
pub fn campuses(officers: &[DemoOfficer], principals: &[(Id, Id, Id)]) -> Vec<DemoCampus> {
    principals
        .iter()
        .map(|(district, campus, principal)| DemoCampus {
            district: *district,
            campus: *campus,
            principal: *principal,
            sro: officers
                .iter()
                .find(|o| o.role == Role::Sro && o.campuses.contains(campus))
                .map(|o| (o.user, o.agency)),
        })
        .collect()
}

pub(crate) struct Ctx<'a> {
    pub tx: &'a mut Tx,
    pub rng: &'a mut StdRng,
    instance: &'a Instance,
    seed: u64,
    counter: u64,
    pub now: Timestamp,
    tz: chrono_tz::Tz,
}

impl Ctx<'_> {
    pub fn id(&mut self, kind: &str) -> Id {
        self.counter += 1;
        Id::from_parts(&format!("triad-demo/{}/{kind}", self.seed), self.counter)
    }

    /// A moment of the school day (8:00 to 15:00, campus time).
    pub fn during(&mut self, day: NaiveDate) -> i64 {
        let (hour, minute) = (self.rng.gen_range(8..15), self.rng.gen_range(0..60));
        let local = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or(self.now.millis())
    }
}

const KINDS: &[(IncidentKind, Classification, &str, &str)] = &[
    (IncidentKind::UnknownVisitor, Classification::Neither, "East doors", "A visitor came in behind a student without signing in; the SSO greeted them and walked them to the office."),
    (IncidentKind::SuspiciousPerson, Classification::LawEnforcement, "Bus loop", "An adult was watching the bus loop from a parked car; the SRO made contact and the car left."),
    (IncidentKind::EvidenceCollected, Classification::Both, "Gym bleachers", "A vape pen was taken from a student by the assistant principal and handed to the SRO."),
    (IncidentKind::SecurityIssue, Classification::Neither, "North gate", "The north gate was found propped open during lunch."),
    (IncidentKind::MaintenanceIssue, Classification::Neither, "Hallway B", "A camera in hallway B shows no picture."),
    (IncidentKind::ReportedThreat, Classification::Both, "Cafeteria", "A student reported a threat overheard in the cafeteria; the threat-assessment team was called."),
    (IncidentKind::CampusBan, Classification::LawEnforcement, "Front office", "A parent who threatened staff was served a campus ban."),
    (IncidentKind::CriminalOffense, Classification::LawEnforcement, "Parking lot", "A car window was broken in the staff parking lot."),
];

/// A demo photo: a gradient the colour of the item, as a phone would send it (JPEG).
fn photo(n: u64) -> Vec<u8> {
    let tint = (n * 37 % 200) as u8;
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([tint.wrapping_add((x / 3) as u8), (y / 2) as u8, 255 - tint])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

impl<'a> Ctx<'a> {
    /// The demo's records of every campus are made in one transaction, with one generator,
    /// from ids derived from the seed: the same seed makes the same records.
    pub fn new(
        tx: &'a mut Tx,
        rng: &'a mut StdRng,
        instance: &'a Instance,
        seed: u64,
        now: Timestamp,
    ) -> Self {
        Ctx {
            tx,
            rng,
            instance,
            seed,
            counter: 0,
            now,
            tz: chrono_tz::America::Chicago,
        }
    }

    /// The campus's school days up to today, with their school year.
    pub fn days_so_far(
        &self,
        campus: &DemoCampus,
        school_days: &[(Id, NaiveDate, i64)],
    ) -> Vec<(NaiveDate, i64)> {
        let today = self.now.to_datetime().with_timezone(&self.tz).date_naive();
        school_days
            .iter()
            .filter(|(d, day, _)| *d == campus.district && *day <= today)
            .map(|(_, day, y)| (*day, *y))
            .collect()
    }
}

/// Incidents about once a week on a campus (the `n`th) over the school year so far, with
/// evidence, bans and their custody histories; and a term of visitor sign-ins. Yields how many
/// incidents it made.
pub async fn generate(
    c: &mut Ctx<'_>,
    n: usize,
    campus: &DemoCampus,
    days: &[(NaiveDate, i64)],
) -> Result<u64> {
    let mut made = 0u64;
    for (k, (day, year)) in days
        .iter()
        .enumerate()
        .filter(|(k, _)| (k + n).is_multiple_of(6))
    {
        let kind = KINDS[(k / 6 + n) % KINDS.len()];
        incident(c, campus, *day, *year, kind).await?;
        made += 1;
    }
    visitors(c, campus, days).await?;
    Ok(made)
}

/// An incident of the demo; yields its id.
pub(crate) async fn incident(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    day: NaiveDate,
    year: i64,
    (kind, classification, location, narrative): (IncidentKind, Classification, &str, &str),
) -> Result<Id> {
    let id = c.id("incident");
    let by_officer = classification == Classification::LawEnforcement;
    let author = match (by_officer, campus.sro) {
        (true, Some((sro, _))) => sro,
        _ => campus.principal,
    };
    let occurred = c.during(day);
    let row = triad_store::incidents::IncidentRow {
        id: id.to_string(),
        district_id: campus.district.to_string(),
        campus_id: campus.campus.to_string(),
        agency_id: campus.sro.and_then(|s| s.1).map(|a| a.to_string()),
        kind: kind.code().into(),
        classification: classification.code().into(),
        occurred_at: occurred,
        location: location.into(),
        reported_by: Some(
            ["Custodian", "Teacher", "SSO", "Front office"][c.counter as usize % 4].into(),
        ),
        narrative: narrative.into(),
        provenance: if author == campus.principal {
            "school"
        } else {
            "law_enforcement_unit"
        }
        .into(),
        school_year: year,
        created_by: author.to_string(),
        created_at: occurred,
        updated_at: occurred,
    };
    triad_store::incidents::insert(&mut *c.tx, &row).await?;
    let people = [triad_domain::incidents::Involved {
        kind: if kind == IncidentKind::UnknownVisitor {
            triad_domain::incidents::PersonKind::Unknown
        } else {
            triad_domain::incidents::PersonKind::Student
        },
        name: None,
        description: Some("Described in the narrative".into()),
    }];
    triad_store::incidents::insert_people(&mut *c.tx, id, &people).await?;
    if kind == IncidentKind::EvidenceCollected {
        if let Some((sro, agency)) = campus.sro {
            evidence(c, campus, &row, sro, agency, day).await?;
        }
    }
    if kind == IncidentKind::CampusBan {
        ban(c, campus, &row, day).await?;
    }
    Ok(id)
}

/// An item taken in by the assistant principal with a photo, handed to the SRO who
/// acknowledges it; some held for court, some destroyed once the disposition came.
async fn evidence(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    incident: &triad_store::incidents::IncidentRow,
    sro: Id,
    agency: Option<Id>,
    day: NaiveDate,
) -> Result<()> {
    let item_id = c.id("evidence");
    let bytes = photo(c.counter);
    let processed = triad_app::photo::process(&bytes, &triad_app::photo::Limits::default())
        .map_err(|e| anyhow::anyhow!("demo photo: {e}"))?;
    let original_key = c
        .instance
        .files
        .put("photos-original", processed.format, bytes.clone())
        .await?;
    let view_key = c
        .instance
        .files
        .put("photos-view", "jpg", processed.view_jpeg)
        .await?;
    let at = incident.occurred_at + 20 * 60_000;
    let photo = triad_store::evidence::PhotoRow {
        id: c.id("photo").to_string(),
        item_id: item_id.to_string(),
        sha256: processed.sha256,
        media_type: processed.media_type.into(),
        original_key,
        view_key,
        bytes: bytes.len() as i64,
        width: i64::from(processed.width),
        height: i64::from(processed.height),
        taken_by: campus.principal.to_string(),
        created_at: at,
    };
    let stage = c.counter % 5;
    let status = match stage {
        0 => "destroyed",
        1 | 2 => "held_for_court",
        _ => "in_custody",
    };
    let item = triad_store::evidence::ItemRow {
        id: item_id.to_string(),
        incident_id: incident.id.clone(),
        district_id: campus.district.to_string(),
        campus_id: campus.campus.to_string(),
        agency_id: agency.map(|a| a.to_string()),
        description: "Vape pen".into(),
        quantity: "1".into(),
        condition: "Used".into(),
        found_location: incident.location.clone(),
        found_at: incident.occurred_at,
        found_by: "Assistant principal".into(),
        provenance: "school".into(),
        status: status.into(),
        holder_id: sro.to_string(),
        storage_location: Some("SRO office evidence locker".into()),
        went_to_law_enforcement: true,
        pending_receiver_id: None,
        created_by: campus.principal.to_string(),
        created_at: at,
        updated_at: at,
    };
    triad_store::evidence::insert(&mut *c.tx, &item).await?;
    triad_store::evidence::insert_photo(&mut *c.tx, &photo).await?;
    let principal = campus.principal.to_string();
    let officer = sro.to_string();
    let mut steps = vec![
        (
            CustodyKind::Intake,
            principal.clone(),
            format!(
                r#"{{"description":"Vape pen","photos":[{{"sha256":"{}"}}]}}"#,
                photo.sha256
            ),
        ),
        (
            CustodyKind::TransferOffered,
            principal,
            format!(r#"{{"receiver":"{officer}","reason":"Evidence goes to the SRO"}}"#),
        ),
        (
            CustodyKind::TransferReceived,
            officer.clone(),
            format!(r#"{{"received_by":"{officer}"}}"#),
        ),
    ];
    if status != "in_custody" {
        steps.push((
            CustodyKind::Status,
            officer.clone(),
            r#"{"to":"held_for_court"}"#.into(),
        ));
    }
    if status == "destroyed" {
        steps.push((CustodyKind::Status, officer, format!(r#"{{"to":"destroyed","disposition":"Juvenile court disposition received {day}","approved_by":"Lt. Ruiz"}}"#)));
    }
    let mut last: Option<CustodyRecord> = None;
    for (n, (kind, actor, data)) in steps.into_iter().enumerate() {
        let new = NewCustodyRecord {
            item_id: &item.id,
            at: Timestamp::from_millis(at + n as i64 * 30 * 60_000),
            kind,
            actor_id: &actor,
            data,
        };
        let record = link(
            new,
            last.as_ref().map(|r| (r.seq, r.hash.as_str())),
            &c.instance.signing_key,
        );
        triad_store::evidence::append_record(&mut *c.tx, &record).await?;
        last = Some(record);
    }
    Ok(())
}

const BANNED: &[(&str, &str, &str)] = &[
    ("Robert", "Hale", "1979-03-14"),
    ("Denise", "Carter", "1985-11-02"),
    ("Victor", "Okafor", "1990-07-21"),
    ("Tammy", "Lowell", "1976-01-30"),
];

async fn ban(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    incident: &triad_store::incidents::IncidentRow,
    day: NaiveDate,
) -> Result<()> {
    let (given, family, born) = BANNED[c.counter as usize % BANNED.len()];
    let keys = triad_domain::visitors::name_keys(given, family);
    let length = [10, 90, 180, 365][c.counter as usize % 4];
    let row = triad_store::visitors::BanRow {
        id: c.id("ban").to_string(),
        district_id: campus.district.to_string(),
        campus_id: campus.campus.to_string(),
        scope: if c.counter.is_multiple_of(3) {
            "district"
        } else {
            "campus"
        }
        .into(),
        incident_id: incident.id.clone(),
        given_name: given.into(),
        family_name: family.into(),
        given_key: keys.given_key,
        family_key: keys.family_key,
        birth_date: Some(born.into()),
        description: Some("Served in person; photo on file with the SRO".into()),
        photo_key: None,
        starts_on: day.to_string(),
        ends_on: (day + chrono::Duration::days(length)).to_string(),
        reason: "Threatened staff at the front office".into(),
        served_by: "School Resource Officer".into(),
        served_at: incident.occurred_at,
        created_by: incident.created_by.clone(),
        created_at: incident.occurred_at,
    };
    triad_store::visitors::insert_ban(&mut *c.tx, &row).await?;
    Ok(())
}

const VISITOR_FIRST: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dev", "Erin", "Farid", "Gina", "Hugo", "Ivy", "Jon",
];
const VISITOR_LAST: &[&str] = &[
    "Park", "Ross", "Diaz", "Khan", "Moore", "Ito", "Bell", "Ward",
];
const PURPOSES: &[&str] = &[
    "Parent conference",
    "Pick-up",
    "Delivery",
    "Volunteer",
    "Vendor",
];

/// Two to four sign-ins a school day over the last term (about ninety school days).
async fn visitors(c: &mut Ctx<'_>, campus: &DemoCampus, days: &[(NaiveDate, i64)]) -> Result<()> {
    let term = days.len().saturating_sub(90);
    for (day, _) in &days[term..] {
        for _ in 0..c.rng.gen_range(2..=4) {
            let time_in = c.during(*day);
            let given = VISITOR_FIRST[c.rng.gen_range(0..VISITOR_FIRST.len())];
            let family = VISITOR_LAST[c.rng.gen_range(0..VISITOR_LAST.len())];
            let row = triad_store::visitors::VisitorRow {
                id: c.id("visitor").to_string(),
                district_id: campus.district.to_string(),
                campus_id: campus.campus.to_string(),
                given_name: given.into(),
                family_name: family.into(),
                birth_date: format!(
                    "19{}-0{}-1{}",
                    c.rng.gen_range(60..99),
                    c.rng.gen_range(1..10),
                    c.rng.gen_range(0..10)
                ),
                id_type: "drivers_license".into(),
                id_last_four: format!("{:04}", c.rng.gen_range(0..10_000)),
                purpose: PURPOSES[c.rng.gen_range(0..PURPOSES.len())].into(),
                host: "Front office".into(),
                badge: Some(format!("V-{}", c.rng.gen_range(1..40))),
                escort: None,
                time_in,
                time_out: Some(time_in + c.rng.gen_range(15..120) * 60_000),
                incident_id: None,
                created_by: campus.principal.to_string(),
                created_at: time_in,
                updated_at: time_in,
            };
            triad_store::visitors::insert_visitor(&mut *c.tx, &row).await?;
        }
    }
    Ok(())
}
