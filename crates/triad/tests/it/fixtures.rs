//! The incident side of the test world: written straight to the store, one set per tenant.

use crate::support::World;
use triad_domain::evidence::{link, CustodyKind, NewCustodyRecord};
use triad_domain::{Id, Timestamp};
use triad_store::instance::Instance;
use triad_store::Tx;

/// Ids of one tenant's incident fixtures.
struct Ids {
    district: Id,
    campus: Id,
    agency: Id,
    incident: Id,
    evidence: Id,
    photo: Id,
    ban: Id,
    visitor: Id,
    ban_match: Id,
    campus_event: Id,
    notice: Id,
    drill: Id,
    survey: Id,
}

fn ids(w: &World, other: bool) -> Ids {
    if other {
        Ids {
            district: w.other_district,
            campus: w.other_campus,
            agency: w.other_agency,
            incident: w.other_incident,
            evidence: w.other_evidence,
            photo: w.other_photo,
            ban: w.other_ban,
            visitor: w.other_visitor,
            ban_match: w.other_ban_match,
            campus_event: w.other_campus_event,
            notice: w.other_notice,
            drill: w.other_drill,
            survey: w.other_survey,
        }
    } else {
        Ids {
            district: w.district,
            campus: w.campus,
            agency: w.agency,
            incident: w.incident,
            evidence: w.evidence,
            photo: w.photo,
            ban: w.ban,
            visitor: w.visitor,
            ban_match: w.ban_match,
            campus_event: w.campus_event,
            notice: w.notice,
            drill: w.drill,
            survey: w.survey,
        }
    }
}

pub async fn incident_world(
    tx: &mut Tx,
    instance: &Instance,
    world: &World,
    other: bool,
    holder: Id,
    leader: Id,
    now: Timestamp,
) {
    let i = ids(world, other);
    let incident = triad_store::incidents::IncidentRow {
        id: i.incident.to_string(),
        district_id: i.district.to_string(),
        campus_id: i.campus.to_string(),
        agency_id: Some(i.agency.to_string()),
        kind: "evidence_collected".into(),
        classification: "both".into(),
        occurred_at: now.millis() - 3_600_000,
        location: "Gym".into(),
        reported_by: Some("Custodian".into()),
        narrative: "A vape pen was taken from a student.".into(),
        provenance: "school".into(),
        school_year: 2026,
        created_by: holder.to_string(),
        created_at: now.millis(),
        updated_at: now.millis(),
    };
    triad_store::incidents::insert(&mut *tx, &incident)
        .await
        .expect("incident");
    let original = instance
        .files
        .put("photos-original", "jpeg", b"fixture original".to_vec())
        .await
        .expect("photo file");
    let view = instance
        .files
        .put("photos-view", "jpg", b"fixture view".to_vec())
        .await
        .expect("photo file");
    let item = triad_store::evidence::ItemRow {
        id: i.evidence.to_string(),
        incident_id: i.incident.to_string(),
        district_id: i.district.to_string(),
        campus_id: i.campus.to_string(),
        agency_id: Some(i.agency.to_string()),
        description: "Vape pen".into(),
        quantity: "1".into(),
        condition: "Used".into(),
        found_location: "Gym".into(),
        found_at: now.millis() - 3_600_000,
        found_by: "Assistant principal".into(),
        provenance: "law_enforcement_unit".into(),
        status: "in_custody".into(),
        holder_id: holder.to_string(),
        storage_location: Some("Locker 3".into()),
        went_to_law_enforcement: true,
        pending_receiver_id: None,
        created_by: holder.to_string(),
        created_at: now.millis(),
        updated_at: now.millis(),
    };
    triad_store::evidence::insert(&mut *tx, &item)
        .await
        .expect("item");
    let photo = triad_store::evidence::PhotoRow {
        id: i.photo.to_string(),
        item_id: i.evidence.to_string(),
        sha256: "ab".repeat(32),
        media_type: "image/jpeg".into(),
        original_key: original,
        view_key: view.clone(),
        bytes: 16,
        width: 1,
        height: 1,
        taken_by: holder.to_string(),
        created_at: now.millis(),
    };
    triad_store::evidence::insert_photo(&mut *tx, &photo)
        .await
        .expect("photo");
    let intake = link(
        NewCustodyRecord {
            item_id: &item.id,
            at: now,
            kind: CustodyKind::Intake,
            actor_id: &item.holder_id,
            data: format!(r#"{{"sha256":"{}"}}"#, photo.sha256),
        },
        None,
        &instance.signing_key,
    );
    triad_store::evidence::append_record(&mut *tx, &intake)
        .await
        .expect("custody");
    let keys = triad_domain::visitors::name_keys("Robert", "Smith");
    let ban = triad_store::visitors::BanRow {
        id: i.ban.to_string(),
        district_id: i.district.to_string(),
        campus_id: i.campus.to_string(),
        scope: "campus".into(),
        incident_id: i.incident.to_string(),
        given_name: "Robert".into(),
        family_name: "Smith".into(),
        given_key: keys.given_key,
        family_key: keys.family_key,
        birth_date: Some("1980-04-02".into()),
        description: None,
        photo_key: Some(view.clone()),
        starts_on: "2020-01-01".into(),
        ends_on: "2099-12-31".into(),
        reason: "Threats to staff".into(),
        served_by: "Officer".into(),
        served_at: now.millis(),
        created_by: holder.to_string(),
        created_at: now.millis(),
    };
    triad_store::visitors::insert_ban(&mut *tx, &ban)
        .await
        .expect("ban");
    let visitor = triad_store::visitors::VisitorRow {
        id: i.visitor.to_string(),
        district_id: i.district.to_string(),
        campus_id: i.campus.to_string(),
        given_name: "Bob".into(),
        family_name: "Smith".into(),
        birth_date: "1980-04-02".into(),
        id_type: "drivers_license".into(),
        id_last_four: "1234".into(),
        purpose: "Pick-up".into(),
        host: "Front office".into(),
        badge: None,
        escort: None,
        time_in: now.millis() - 60_000,
        time_out: None,
        incident_id: None,
        created_by: holder.to_string(),
        created_at: now.millis(),
        updated_at: now.millis(),
    };
    triad_store::visitors::insert_visitor(&mut *tx, &visitor)
        .await
        .expect("visitor");
    let m = triad_store::visitors::MatchRow {
        id: i.ban_match.to_string(),
        visitor_id: i.visitor.to_string(),
        ban_id: i.ban.to_string(),
        reasons: "nickname,same_birth_date".into(),
        strength: 90,
        decision: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    triad_store::visitors::insert_match(&mut *tx, &m)
        .await
        .expect("match");
    let event = triad_store::operations::EventRow {
        id: i.campus_event.to_string(),
        district_id: i.district.to_string(),
        campus_id: i.campus.to_string(),
        status: "normal".into(),
        swept: true,
        started_at: now.millis() - 7_200_000,
        started_by: holder.to_string(),
        ended_at: Some(now.millis() - 3_600_000),
        ended_how: Some("all_clear".into()),
        responsibility_accepted: false,
        version: 2,
        threat: Some("A man with a bat at the east fence".into()),
    };
    triad_store::operations::insert(&mut *tx, &event)
        .await
        .expect("campus event");
    let notice = triad_store::operations::NoticeRow {
        id: i.notice.to_string(),
        event_id: i.campus_event.to_string(),
        recipient_id: leader.to_string(),
        recipient_name: None,
        email: None,
        subject: "Police or sheriff called".into(),
        body: "Police were called.".into(),
        created_at: now.millis() - 5_000_000,
        email_sent_at: None,
        webhook_sent_at: None,
        attempts: 0,
        last_error: None,
        acknowledged_at: None,
    };
    triad_store::operations::insert_notice(&mut *tx, &notice)
        .await
        .expect("notice");
    let drill = triad_store::drills::DrillRow {
        id: i.drill.to_string(),
        district_id: i.district.to_string(),
        campus_id: i.campus.to_string(),
        kind: "fire".into(),
        scheduled_on: "2026-09-01".into(),
        school_year: 2026,
        held_at: None,
        duration_minutes: None,
        participants: None,
        sro_took_part: None,
        notes: None,
        created_by: holder.to_string(),
        created_at: now.millis(),
    };
    triad_store::drills::insert(&mut *tx, &drill)
        .await
        .expect("drill");
    let instrument = triad_domain::surveys::sro_partnership();
    let campaign = triad_store::surveys::CampaignRow {
        id: i.survey.to_string(),
        name: format!("Partnership survey {}", i.survey),
        district_id: Some(i.district.to_string()),
        campus_id: None,
        instrument_key: instrument.key.clone(),
        instrument: serde_json::to_string(&instrument).expect("instrument"),
        audience: "sro administrator educator".into(),
        opens_on: "2026-01-01".into(),
        closes_on: "2099-12-31".into(),
        public_code: i.survey.to_string().replace('-', ""),
        one_time_tokens: false,
        notice: None,
        created_by: Some(holder.to_string()),
        created_at: now.millis(),
        name_es: None,
        notice_es: None,
    };
    triad_store::surveys::insert_campaign(&mut *tx, &campaign)
        .await
        .expect("campaign");
}
