//! `triad demo`: a deterministic demo program. The same seed gives the same agencies,
//! districts, campuses, people, accounts and assignments. Later capabilities add their
//! records here.

use anyhow::Result;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::org::{CampusLevel, SchoolYear, YearStart};
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::instance::Instance;
use triad_store::{org, Db, Tx};

/// Every demo account signs in with this passphrase.
pub const DEMO_PASSWORD: &str = "triad-demo-lantern-orchard";

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scale {
    /// One district of 40 campuses served by two agencies.
    District,
    /// About 170 districts and 1,500 campuses, for benchmarks; the first
    /// `--recorded-districts` districts get the records of `--years` school years (activity,
    /// meetings, incidents, visitors, drills).
    State,
}

#[derive(Args, Clone)]
pub struct DemoArgs {
    /// How big a demo to make.
    #[arg(long, value_enum, default_value = "district")]
    pub scale: Scale,
    /// The seed: the same seed makes the same demo.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// School years of history to make (the current one included).
    #[arg(long, default_value_t = 1)]
    pub years: u32,
    /// At state scale, how many districts get the field's records (the first ones made; the
    /// rest keep their people, campuses and calendars). More than there are: every district.
    #[arg(long, default_value_t = 10)]
    pub recorded_districts: usize,
}

const FIRST: &[&str] = &[
    "Maria", "James", "Aisha", "Robert", "Linh", "David", "Sofia", "Marcus", "Emily", "Carlos",
    "Grace", "Daniel", "Priya", "Michael", "Hannah", "Andre", "Olivia", "Samuel", "Rosa", "Kevin",
    "Naomi", "Tyrone", "Elena", "Brian",
];
const LAST: &[&str] = &[
    "Garcia",
    "Johnson",
    "Nguyen",
    "Smith",
    "Okafor",
    "Brown",
    "Martinez",
    "Lee",
    "Davis",
    "Hernandez",
    "Wilson",
    "Patel",
    "Thompson",
    "Lopez",
    "Clark",
    "Walker",
    "Young",
    "King",
    "Rivera",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Turner",
];
const PLACES: &[&str] = &[
    "Oak Grove",
    "Cedar Ridge",
    "Lakeview",
    "Riverside",
    "Pine Hill",
    "Maple Park",
    "Eastside",
    "Westbrook",
    "Northgate",
    "Southfield",
    "Willow Creek",
    "Sunnyvale",
    "Hillcrest",
    "Brookside",
    "Fairview",
    "Highland",
    "Meadowbrook",
    "Stonebridge",
    "Clearwater",
    "Ashford",
];
const COUNTIES: &[&str] = &[
    "Adair",
    "Barren",
    "Boone",
    "Clark",
    "Daviess",
    "Fayette",
    "Floyd",
    "Grant",
    "Hardin",
    "Jefferson",
    "Knox",
    "Laurel",
    "Madison",
    "Marion",
    "Pike",
    "Scott",
    "Shelby",
    "Warren",
    "Wayne",
    "Whitley",
];

/// Builds the demo inside one transaction, with an audit entry for every record.
struct Builder {
    tx: Tx,
    rng: StdRng,
    seed: u64,
    counter: u64,
    now: Timestamp,
    password_hash: String,
    progress: ProgressBar,
    /// Officers who keep an activity log, and each district's school days, for the log.
    officers: Vec<crate::demo_activity::DemoOfficer>,
    school_days: Vec<(Id, chrono::NaiveDate, i64)>,
    /// The principal of every campus: (district, campus, user).
    principals: Vec<(Id, Id, Id)>,
    /// Each district's first partnership and who signs its MOU, for the MOU's versions.
    mou_parties: Vec<crate::demo_mou::Parties>,
}

impl Builder {
    fn id(&mut self, kind: &str) -> Id {
        self.counter += 1;
        Id::from_parts(&format!("triad-demo/{}/{kind}", self.seed), self.counter)
    }

    async fn audit(
        &mut self,
        action: &str,
        record: &str,
        id: Id,
        district: Option<Id>,
        agency: Option<Id>,
    ) -> Result<()> {
        let event = AuditEvent::new(None, action, Outcome::Ok)
            .record(record, id)
            .source(Some("demo".into()))
            .tenant(district, agency);
        triad_store::audit::append(&mut self.tx, event, self.now).await?;
        Ok(())
    }

    fn person_name(&mut self) -> String {
        let f = FIRST[self.rng.gen_range(0..FIRST.len())];
        let l = LAST[self.rng.gen_range(0..LAST.len())];
        format!("{f} {l}")
    }

    async fn account(
        &mut self,
        username: &str,
        name: &str,
        grant: Grant,
        person: PersonSpec,
    ) -> Result<(Id, Id)> {
        let person_id = self.id("person");
        // At the reserved `.example` domain: an instance with email set up can show its mail
        // (notices, password reset links) without writing to anyone real.
        let email = format!("{username}@demo.example");
        let row = org::NewPerson {
            id: person_id,
            display_name: name,
            email: Some(&email),
            agency: person.agency,
            district: person.district,
            sworn: person.sworn,
            le_experience_start: person.experience_start,
        };
        org::insert_person(&mut self.tx, &row, self.now).await?;
        let user = self.id("user");
        let new = accounts::NewUser {
            id: user,
            username,
            display_name: name,
            person: Some(person_id),
            password_hash: &self.password_hash,
        };
        accounts::insert_user(&mut self.tx, &new, self.now).await?;
        accounts::add_grant(&mut self.tx, user, grant, self.now).await?;
        self.audit(
            "demo.account.create",
            "user",
            user,
            person.district,
            person.agency,
        )
        .await?;
        self.progress.inc(1);
        Ok((person_id, user))
    }
}

#[derive(Default)]
struct PersonSpec {
    agency: Option<Id>,
    district: Option<Id>,
    sworn: bool,
    experience_start: Option<String>,
}

/// Fills the demo unless the database already holds a program; prints the sign-ins.
pub async fn fill(db: &Db, instance: &Instance, args: &DemoArgs) -> Result<()> {
    let existing = org::districts(&mut db.acquire().await?).await?;
    if existing.is_empty() {
        let started = std::time::Instant::now();
        generate(db, instance, args).await?;
        println!(
            "Demo data made in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!(
            "The database already holds {} district(s); keeping its data.",
            existing.len()
        );
    }
    print_sign_ins(db).await
}

async fn print_sign_ins(db: &Db) -> Result<()> {
    let mut conn = db.acquire().await?;
    let known = [
        "sro",
        "sso",
        "principal",
        "staff",
        "le-supervisor",
        "district-leader",
        "evaluator",
        "admin",
    ];
    let mut lines = Vec::new();
    for name in known {
        if let Some(u) = accounts::user_by_name(&mut conn, name).await? {
            let roles: Vec<&str> = accounts::grants_of(&mut conn, u.user_id())
                .await?
                .iter()
                .map(|g| g.role.label())
                .collect();
            lines.push(format!(
                "  {:<16} {} ({})",
                u.username,
                u.display_name,
                roles.join(", ")
            ));
        }
    }
    if !lines.is_empty() {
        println!("Demo sign-ins (password for all: {DEMO_PASSWORD}):");
        for l in lines {
            println!("{l}");
        }
    }
    Ok(())
}

async fn generate(db: &Db, instance: &Instance, args: &DemoArgs) -> Result<()> {
    let (districts, campuses_per_district, agencies_per_district) = match args.scale {
        Scale::District => (1usize, 40usize, 2usize),
        Scale::State => (170, 9, 1),
    };
    let total = districts * (campuses_per_district * 4 + 6);
    let progress = ProgressBar::new(total as u64);
    progress.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    progress.set_message("Making the demo program");
    let mut b = Builder {
        tx: db.begin().await?,
        rng: StdRng::seed_from_u64(args.seed),
        seed: args.seed,
        counter: 0,
        now: Timestamp::from_datetime(chrono::Utc::now()),
        password_hash: accounts::hash_password(DEMO_PASSWORD.to_string()).await?,
        progress,
        officers: Vec::new(),
        school_days: Vec::new(),
        principals: Vec::new(),
        mou_parties: Vec::new(),
    };
    let today = chrono::Utc::now().date_naive();
    let year = YearStart::AUGUST_FIRST.school_year_of(today);
    let admin = Grant {
        role: Role::SystemAdmin,
        scope: Scope::Instance,
    };
    b.account(
        "admin",
        "Instance Administrator",
        admin,
        PersonSpec::default(),
    )
    .await?;
    let (_, evaluator) = b
        .account(
            "evaluator",
            "State Safety Center Evaluator",
            Grant {
                role: Role::Evaluator,
                scope: Scope::Instance,
            },
            PersonSpec::default(),
        )
        .await?;
    for d in 0..districts {
        district(
            &mut b,
            args,
            d,
            campuses_per_district,
            agencies_per_district,
            year,
        )
        .await?;
    }
    // The records of the field (activity, meetings, a survey, incidents, visitors, drills):
    // every district of a district demo; at state scale a sample of districts, the rest
    // keeping their people, campuses and calendars, so state benchmarks read real volumes
    // from a demo made in minutes.
    if let Scale::State = args.scale {
        let mut sampled: Vec<Id> = Vec::new();
        for (district, _, _) in &b.principals {
            if !sampled.contains(district) && sampled.len() < args.recorded_districts {
                sampled.push(*district);
            }
        }
        b.officers.retain(|o| sampled.contains(&o.district));
        b.principals
            .retain(|(district, _, _)| sampled.contains(district));
    }
    {
        crate::demo_activity::generate(
            &mut b.tx,
            &mut b.rng,
            args.seed,
            &b.officers,
            &b.school_days,
            b.now,
            &b.progress,
        )
        .await?;
        crate::demo_activity::meetings(
            &mut b.tx,
            &mut b.rng,
            args.seed,
            &b.officers,
            &b.principals,
            &b.school_days,
            b.now,
        )
        .await?;
        if let Some((district, _, _)) = b.principals.first() {
            crate::demo_surveys::generate(&mut b.tx, &mut b.rng, args.seed, *district, b.now)
                .await?;
        }
        let campuses = crate::demo_incidents::campuses(&b.officers, &b.principals);
        campus_records(&mut b, instance, args.seed, &campuses).await?;
        let with_records: Vec<Id> = b.principals.iter().map(|(d, _, _)| *d).collect();
        let parties: Vec<_> = b
            .mou_parties
            .iter()
            .filter(|p| with_records.contains(&p.district))
            .copied()
            .collect();
        for p in parties {
            crate::demo_mou::generate(&mut b.tx, p, b.now).await?;
            let sros: Vec<(Id, Id)> = b
                .officers
                .iter()
                .filter(|o| o.district == p.district && o.role == Role::Sro)
                .filter_map(|o| Some((o.user, o.agency?)))
                .collect();
            crate::demo_program::generate(&mut b.tx, p, &sros, b.now).await?;
            crate::demo_program::assessments(&mut b.tx, p, evaluator, b.now, args.years).await?;
            // The plan's owners: two of the district's principals, an SRO, the supervisor.
            let mut owners: Vec<Id> = b
                .principals
                .iter()
                .filter(|(d, _, _)| *d == p.district)
                .map(|(_, _, user)| *user)
                .take(2)
                .collect();
            owners.extend(sros.first().map(|(user, _)| *user));
            owners.extend(p.supervisor);
            crate::demo_improvement::generate(&mut b.tx, p, args.seed, &owners, b.now).await?;
        }
    }
    b.progress.finish_and_clear();
    b.tx.commit().await?;
    Ok(())
}

/// Each campus's incidents, evidence, bans and visitors, then its drills and (on the first
/// three campuses with an SRO) one story of a campus event.
async fn campus_records(
    b: &mut Builder,
    instance: &Instance,
    seed: u64,
    campuses: &[crate::demo_incidents::DemoCampus],
) -> Result<()> {
    let mut c = crate::demo_incidents::Ctx::new(&mut b.tx, &mut b.rng, instance, seed, b.now);
    for (n, campus) in campuses.iter().enumerate() {
        let days = c.days_so_far(campus, &b.school_days);
        let made = crate::demo_incidents::generate(&mut c, n, campus, &days).await?;
        let story = campuses[..n].iter().filter(|c| c.sro.is_some()).count();
        let story = Some(story).filter(|s| campus.sro.is_some() && *s < 3);
        crate::demo_operations::generate(&mut c, campus, story, &days).await?;
        let event = AuditEvent::new(None, "demo.incidents.import", Outcome::Ok)
            .record("campus", campus.campus)
            .content(&made)
            .source(Some("demo".into()))
            .tenant(Some(campus.district), campus.sro.and_then(|s| s.1));
        triad_store::audit::append(&mut *c.tx, event, b.now).await?;
    }
    Ok(())
}

/// One district, its calendar, campuses, partner agencies and people.
async fn district(
    b: &mut Builder,
    args: &DemoArgs,
    index: usize,
    campus_count: usize,
    agency_count: usize,
    year: SchoolYear,
) -> Result<()> {
    let first = index == 0;
    let county = COUNTIES[index % COUNTIES.len()];
    let suffix = if index < COUNTIES.len() {
        String::new()
    } else {
        format!(" {}", index / COUNTIES.len() + 1)
    };
    let district = b.id("district");
    let name = format!("{county} County Schools{suffix}");
    org::insert_district(
        &mut b.tx,
        &org::NewDistrict {
            id: district,
            name: &name,
            time_zone: "America/Chicago",
            year_start: "08-01",
        },
        b.now,
    )
    .await?;
    b.audit(
        "demo.district.create",
        "district",
        district,
        Some(district),
        None,
    )
    .await?;
    calendar(b, district, year, args.years).await?;
    let mut campuses = Vec::new();
    for c in 0..campus_count {
        let level = match c * 10 / campus_count.max(1) {
            0..=5 => CampusLevel::Elementary,
            6..=7 => CampusLevel::Middle,
            _ if c + 1 == campus_count && campus_count > 10 => CampusLevel::Other,
            _ => CampusLevel::High,
        };
        let place = PLACES[c % PLACES.len()];
        let nth = if c < PLACES.len() {
            String::new()
        } else {
            " North".to_string()
        };
        let campus_name = match level {
            CampusLevel::Other => format!("{county} Alternative Learning Center"),
            l => format!("{place}{nth} {}", l.label()),
        };
        let id = b.id("campus");
        org::insert_campus(&mut b.tx, id, district, &campus_name, level.code(), b.now).await?;
        b.audit("demo.campus.create", "campus", id, Some(district), None)
            .await?;
        campuses.push((id, level));
        b.progress.inc(1);
    }
    let mut agencies = Vec::new();
    let agency_names = [
        format!("{county} County Sheriff's Office"),
        format!("City of {} Police Department", PLACES[index % PLACES.len()]),
    ];
    for name in agency_names.iter().take(agency_count) {
        let id = b.id("agency");
        org::insert_agency(&mut b.tx, id, name, b.now).await?;
        let p = b.id("partnership");
        org::insert_partnership(&mut b.tx, p, id, district, "2015-07-01", b.now).await?;
        if agencies.is_empty() {
            b.mou_parties.push(crate::demo_mou::Parties {
                district,
                partnership: p,
                leader: None,
                supervisor: None,
            });
        }
        b.audit("demo.agency.create", "agency", id, Some(district), Some(id))
            .await?;
        agencies.push(id);
    }
    people(b, district, &campuses, &agencies, first, year, args.years).await
}

async fn calendar(b: &mut Builder, district: Id, year: SchoolYear, years: u32) -> Result<()> {
    for back in 0..years.max(1) {
        let y = year.0 - back as i32;
        let terms = [
            ("Fall semester", format!("{y}-08-12"), format!("{y}-12-19")),
            (
                "Spring semester",
                format!("{}-01-06", y + 1),
                format!("{}-05-22", y + 1),
            ),
        ];
        for (name, first, last) in &terms {
            org::insert_term(&mut b.tx, district, i64::from(y), name, first, last).await?;
        }
        let days = [
            (format!("{y}-09-01"), "Labor Day"),
            (format!("{y}-11-26"), "Thanksgiving break"),
            (format!("{y}-11-27"), "Thanksgiving break"),
            (format!("{}-01-19", y + 1), "Martin Luther King Jr. Day"),
            (format!("{}-03-16", y + 1), "Spring break"),
        ];
        for (day, label) in &days {
            org::insert_non_school_day(&mut b.tx, district, day, i64::from(y), label).await?;
        }
        let closed: Vec<String> = days.iter().map(|(d, _)| d.clone()).collect();
        for (_, first, last) in &terms {
            let (Ok(mut day), Ok(last)) = (
                chrono::NaiveDate::parse_from_str(first, "%Y-%m-%d"),
                chrono::NaiveDate::parse_from_str(last, "%Y-%m-%d"),
            ) else {
                continue;
            };
            while day <= last {
                let weekday = chrono::Datelike::weekday(&day).num_days_from_monday() < 5;
                if weekday && !closed.contains(&day.to_string()) {
                    b.school_days.push((district, day, i64::from(y)));
                }
                let Some(next) = day.succ_opt() else { break };
                day = next;
            }
        }
    }
    b.audit(
        "demo.calendar.create",
        "district",
        district,
        Some(district),
        None,
    )
    .await?;
    Ok(())
}

/// People of a district: SROs (a few on two campuses, some campuses uncovered), SSOs,
/// administrators, staff, supervisors and leaders. The first district's first person of each
/// role gets a memorable user name.
async fn people(
    b: &mut Builder,
    district: Id,
    campuses: &[(Id, CampusLevel)],
    agencies: &[Id],
    first: bool,
    year: SchoolYear,
    years: u32,
) -> Result<()> {
    let tag = if first {
        String::new()
    } else {
        format!(".{}", district.to_string().get(..6).unwrap_or("d"))
    };
    let named = |base: &str, n: usize| {
        if first && n == 0 {
            base.to_string()
        } else {
            format!("{base}{tag}.{n}")
        }
    };
    let start = format!("{}-08-01", year.0);
    let leader = named("district-leader", 0);
    let nm = b.person_name();
    let (_, leader_user) = b
        .account(
            &leader,
            &nm,
            Grant {
                role: Role::DistrictLeader,
                scope: Scope::District { district },
            },
            PersonSpec {
                district: Some(district),
                ..Default::default()
            },
        )
        .await?;
    let mou = b.mou_parties.iter().position(|p| p.district == district);
    if let Some(m) = mou {
        b.mou_parties[m].leader = Some(leader_user);
    }
    for (i, agency) in agencies.iter().enumerate() {
        let nm = b.person_name();
        let sup = named("le-supervisor", i);
        let (_, supervisor_user) = b
            .account(
                &sup,
                &format!("Sgt. {nm}"),
                Grant {
                    role: Role::LeSupervisor,
                    scope: Scope::Agency { agency: *agency },
                },
                PersonSpec {
                    agency: Some(*agency),
                    sworn: true,
                    experience_start: Some("2008-06-01".into()),
                    ..Default::default()
                },
            )
            .await?;
        // The first agency is the one of the district's first partnership.
        if let (0, Some(m)) = (i, mou) {
            b.mou_parties[m].supervisor = Some(supervisor_user);
        }
    }
    // About seven in ten campuses have an SRO; every fifth officer also covers a second one.
    let covered: Vec<(Id, CampusLevel)> = campuses
        .iter()
        .copied()
        .filter(|(_, l)| *l != CampusLevel::Elementary || b.rng.gen_bool(0.55))
        .collect();
    let mut officer_index = 0;
    let mut c = 0;
    while c < covered.len() {
        let agency = agencies[officer_index % agencies.len()];
        let nm = b.person_name();
        let experience = format!("{}-07-01", 2024 - b.rng.gen_range(1..18));
        let username = named("sro", officer_index);
        let (person, user) = b
            .account(
                &username,
                &format!("Officer {nm}"),
                Grant {
                    role: Role::Sro,
                    scope: Scope::Agency { agency },
                },
                PersonSpec {
                    agency: Some(agency),
                    sworn: true,
                    experience_start: Some(experience),
                    ..Default::default()
                },
            )
            .await?;
        let spans = if officer_index % 5 == 4 && c + 1 < covered.len() {
            2
        } else {
            1
        };
        for (campus, _) in covered.iter().skip(c).take(spans) {
            assign(b, person, agency, district, *campus, &start, None).await?;
            for back in 1..years.max(1) {
                let y = year.0 - back as i32;
                assign(
                    b,
                    person,
                    agency,
                    district,
                    *campus,
                    &format!("{y}-08-01"),
                    Some(&format!("{}-07-31", y + 1)),
                )
                .await?;
            }
        }
        b.officers.push(crate::demo_activity::DemoOfficer {
            user,
            role: Role::Sro,
            agency: Some(agency),
            district,
            campuses: covered
                .iter()
                .skip(c)
                .take(spans)
                .map(|(id, _)| *id)
                .collect(),
            enforcement_lean: officer_index % 4 == 0,
        });
        c += spans;
        officer_index += 1;
    }
    let mut sso = 0;
    let mut principal = 0;
    let mut staff = 0;
    for (campus, level) in campuses {
        let scope = Scope::Campus {
            district,
            campus: *campus,
        };
        let campus_person = PersonSpec {
            district: Some(district),
            ..Default::default()
        };
        let nm = b.person_name();
        let (_, head) = b
            .account(
                &named("principal", principal),
                &nm,
                Grant {
                    role: Role::CampusAdmin,
                    scope,
                },
                campus_person,
            )
            .await?;
        b.principals.push((district, *campus, head));
        principal += 1;
        if *level != CampusLevel::Elementary {
            let nm = b.person_name();
            b.account(
                &named("principal", principal),
                &nm,
                Grant {
                    role: Role::CampusAdmin,
                    scope,
                },
                PersonSpec {
                    district: Some(district),
                    ..Default::default()
                },
            )
            .await?;
            principal += 1;
            let nm = b.person_name();
            let (_, user) = b
                .account(
                    &named("sso", sso),
                    &nm,
                    Grant {
                        role: Role::Sso,
                        scope,
                    },
                    PersonSpec {
                        district: Some(district),
                        ..Default::default()
                    },
                )
                .await?;
            b.officers.push(crate::demo_activity::DemoOfficer {
                user,
                role: Role::Sso,
                agency: None,
                district,
                campuses: vec![*campus],
                enforcement_lean: false,
            });
            sso += 1;
        }
        let staff_here = match level {
            CampusLevel::High => 3,
            CampusLevel::Middle => 2,
            _ => 1,
        };
        for _ in 0..staff_here {
            let nm = b.person_name();
            b.account(
                &named("staff", staff),
                &nm,
                Grant {
                    role: Role::Staff,
                    scope,
                },
                PersonSpec {
                    district: Some(district),
                    ..Default::default()
                },
            )
            .await?;
            staff += 1;
        }
    }
    Ok(())
}

async fn assign(
    b: &mut Builder,
    person: Id,
    agency: Id,
    district: Id,
    campus: Id,
    starts: &str,
    ends: Option<&str>,
) -> Result<()> {
    let id = b.id("assignment");
    let row = org::NewAssignment {
        id,
        person,
        agency,
        district,
        campus,
        starts_on: starts,
        ends_on: ends,
    };
    org::insert_assignment(&mut b.tx, &row, b.now).await?;
    b.audit(
        "demo.assignment.create",
        "assignment",
        id,
        Some(district),
        Some(agency),
    )
    .await
}
