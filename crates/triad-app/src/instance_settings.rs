//! The instance's settings: what each one does, what it takes, and changing one on the audit
//! trail, the same from the administrator's page and from the command line.

use crate::context::Ctx;
use crate::error::AppResult;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid, Timestamp};

/// What a setting takes.
#[derive(Debug, Clone, Copy)]
pub enum Takes {
    /// A whole number from `min` to `max`, in `unit`.
    Whole {
        min: i64,
        max: i64,
        unit: &'static str,
    },
    /// yes or no.
    YesNo,
}

/// A setting Triad reads.
pub struct Known {
    pub key: &'static str,
    pub what: &'static str,
    pub default: &'static str,
    pub takes: Takes,
}

pub const KNOWN: &[Known] = &[
    Known {
        key: "activity.correction_hours",
        what: "Hours an author may correct an activity entry",
        default: "72",
        takes: Takes::Whole {
            min: 1,
            max: 8760,
            unit: "hours",
        },
    },
    Known {
        key: crate::activity::UNDO_SETTING,
        what: "Minutes an author may undo an entry just logged (never past the correction window)",
        default: "10",
        takes: Takes::Whole {
            min: 0,
            max: 1440,
            unit: "minutes",
        },
    },
    Known {
        key: crate::upkeep::RETENTION_SETTING,
        what: "Days visitor sign-ins are kept unless linked to an incident",
        default: "365",
        takes: Takes::Whole {
            min: 1,
            max: 3650,
            unit: "days",
        },
    },
    Known {
        key: triad_store::idempotency::KEEP_SETTING,
        what: "Hours an idempotency key is kept for replays of a write",
        default: "24",
        takes: Takes::Whole {
            min: 1,
            max: 720,
            unit: "hours",
        },
    },
    Known {
        key: crate::surveys::campaigns::MIN_GROUP_SETTING,
        what: "The smallest group of survey respondents whose answers or count are shown",
        default: "5",
        takes: Takes::Whole {
            min: 1,
            max: 100,
            unit: "people",
        },
    },
    Known {
        key: triad_store::auth::PASSWORDS_SETTING,
        what: "Everyone may sign in with a password (no: only system administrators; everyone else signs in through the identity provider)",
        default: "yes",
        takes: Takes::YesNo,
    },
    Known {
        key: triad_store::auth::TOKENS_END_SETTING,
        what: "A new password also revokes the account's API tokens",
        default: "no",
        takes: Takes::YesNo,
    },
    Known {
        key: "assessment.faculty_meetings",
        what: "Assessment, item 3: faculty or administrative meetings with the SRO a campus holds in a school year",
        default: "6",
        takes: Takes::Whole {
            min: 1,
            max: 60,
            unit: "meetings",
        },
    },
    Known {
        key: "assessment.weekly_meeting_percent",
        what: "Assessment, item 20: the share of school weeks with an SRO–principal meeting for the practice to be met",
        default: "90",
        takes: Takes::Whole {
            min: 1,
            max: 100,
            unit: "percent",
        },
    },
    Known {
        key: "assessment.briefing_percent",
        what: "Assessment, item 12: the share of school weeks in which each SRO attended an agency briefing",
        default: "25",
        takes: Takes::Whole {
            min: 1,
            max: 100,
            unit: "percent",
        },
    },
    Known {
        key: "assessment.prepared_presentations",
        what: "Assessment, item 14: classroom presentations with a lesson plan across a program in a school year",
        default: "2",
        takes: Takes::Whole {
            min: 1,
            max: 500,
            unit: "presentations",
        },
    },
    Known {
        key: "assessment.community_presentations",
        what: "Assessment, item 18: presentations to parents or the community across a program in a school year",
        default: "1",
        takes: Takes::Whole {
            min: 1,
            max: 500,
            unit: "presentations",
        },
    },
    Known {
        key: "assessment.extracurricular",
        what: "Assessment, item 17: extracurricular events with students on each campus in a school year",
        default: "3",
        takes: Takes::Whole {
            min: 1,
            max: 500,
            unit: "events",
        },
    },
    Known {
        key: "assessment.staff_contacts",
        what: "Assessment, item 19: relationship-building contacts with school staff on each campus in a school year",
        default: "3",
        takes: Takes::Whole {
            min: 1,
            max: 500,
            unit: "contacts",
        },
    },
    Known {
        key: "assessment.safety_audits",
        what: "Assessment, item 11: safety audits of each campus in a school year",
        default: "1",
        takes: Takes::Whole {
            min: 1,
            max: 100,
            unit: "audits",
        },
    },
    Known {
        key: "crdc.small_count",
        what: "Civil Rights Data Collection counts: counts above zero and under this are marked too small to publish",
        default: "10",
        takes: Takes::Whole {
            min: 1,
            max: 1000,
            unit: "incidents",
        },
    },
    Known {
        key: "improvement.gap_tenths",
        what: "Findings: a gap between two roles on a survey scale worth a finding, in tenths of a point",
        default: "10",
        takes: Takes::Whole {
            min: 1,
            max: 100,
            unit: "tenths of a point",
        },
    },
    Known {
        key: "improvement.theme_percent",
        what: "Findings: the share of a role's respondents raising a concern that makes it a finding",
        default: "20",
        takes: Takes::Whole {
            min: 1,
            max: 100,
            unit: "percent",
        },
    },
];

/// A known setting's value as it would be stored, or why it cannot be.
pub fn check(key: &str, value: &str) -> Result<(&'static Known, String), Invalid> {
    let Some(known) = KNOWN.iter().find(|k| k.key == key) else {
        let names: Vec<&str> = KNOWN.iter().map(|k| k.key).collect();
        return Err(Invalid::one(
            "key",
            format!("no such setting; the settings are {}", names.join(", ")),
        ));
    };
    let value = value.trim();
    let fits = match known.takes {
        Takes::Whole { min, max, .. } => {
            value.parse::<i64>().is_ok_and(|n| (min..=max).contains(&n))
        }
        Takes::YesNo => matches!(value, "yes" | "no"),
    };
    if !fits {
        let wanted = match known.takes {
            Takes::Whole { min, max, unit } => {
                format!("a whole number of {unit} from {min} to {max}")
            }
            Takes::YesNo => "yes or no".into(),
        };
        return Err(Invalid::one(
            "value",
            format!("{} takes {wanted}", known.what),
        ));
    }
    Ok((known, value.to_string()))
}

/// Writes a checked setting with its audit entry, in one transaction (`source` says where
/// from: a page's address, or "cli").
/// Reads counts that must be at least one (thresholds, minimum group sizes): each slot holds its
/// default and takes the instance's setting over it; a setting below one counts as one.
pub(crate) async fn read_counts(ctx: &Ctx, slots: &mut [(&str, &mut u32)]) -> AppResult<()> {
    let mut conn = ctx.app.db.acquire().await?;
    for (key, slot) in slots.iter_mut() {
        let set = triad_store::settings::get_i64(&mut conn, key, i64::from(**slot)).await?;
        **slot = u32::try_from(set.max(1)).unwrap_or(**slot);
    }
    Ok(())
}

pub async fn write(
    db: &triad_store::Db,
    actor: Option<Id>,
    source: Option<String>,
    key: &str,
    value: &str,
    now: Timestamp,
) -> AppResult<String> {
    let (known, value) = check(key, value)?;
    let mut change = crate::change::Change::open(db, now).await?;
    triad_store::settings::set(&mut change, known.key, &value).await?;
    change.audit(
        AuditEvent::new(actor, "setting.set", Outcome::Ok)
            .record("setting", known.key)
            .content(&value)
            .source(source),
    );
    change.commit().await?;
    Ok(value)
}

fn instance() -> Resource {
    Resource::new(RecordClass::Accounts, Tenant::INSTANCE)
}

/// A setting as the administrator's page shows it.
pub struct SettingView {
    pub key: &'static str,
    pub what: &'static str,
    pub default: &'static str,
    pub value: Option<String>,
    pub takes: Takes,
}

/// Every setting with its value (system administrators).
pub async fn all(ctx: &Ctx) -> AppResult<Vec<SettingView>> {
    ctx.require(Action::View, instance(), ("settings", "all"))
        .await?;
    let mut conn = ctx.app.db.acquire().await?;
    let mut out = Vec::new();
    for k in KNOWN {
        out.push(SettingView {
            key: k.key,
            what: k.what,
            default: k.default,
            value: triad_store::settings::get(&mut conn, k.key).await?,
            takes: k.takes,
        });
    }
    Ok(out)
}

/// Changes a setting (system administrators), on the audit trail.
pub async fn set(ctx: &Ctx, key: &str, value: &str) -> AppResult<String> {
    ctx.require(Action::Change, instance(), ("setting", key))
        .await?;
    write(
        &ctx.app.db,
        Some(ctx.actor.user),
        ctx.source.clone(),
        key,
        value,
        ctx.now,
    )
    .await
}
