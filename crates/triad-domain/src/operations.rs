//! Campus safety operations (seed 001): controlled movement and lockdown, with unequal
//! authority. Administrators, SROs and SSOs may call them; only a sworn officer gives the all
//! clear from a lockdown, and only after a sweep of the campus is on record; a school that
//! lifts its own lockdown does so by accepting the responsibility, in so many words.

use crate::auth::{Role, RolesHere};
use crate::org::text_enum;
use crate::text::parse_text;
use crate::Invalid;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a campus stands.
    CampusStatus {
        Normal => "normal" / "Normal",
        ControlledMovement => "controlled_movement" / "Controlled movement",
        Lockdown => "lockdown" / "Lockdown",
    }
}

text_enum! {
    /// What someone asks of the campus status.
    Move {
        CallControlledMovement => "controlled_movement" / "Call controlled movement",
        CallLockdown => "lockdown" / "Call a lockdown",
        RecordSweep => "sweep" / "Record the sweep of the campus",
        AllClear => "all_clear" / "Give the all clear",
        SchoolLift => "school_lift" / "Lift the lockdown without an officer (the school takes responsibility)",
        EndControlledMovement => "end_controlled_movement" / "End controlled movement",
        ReportThreat => "threat" / "Report a potential threat (controlled movement and the response checklist)",
    }
}

text_enum! {
    /// The steps of the response to a potential threat (seed 001), in the order they are taken.
    ThreatStep {
        ControlledMovement => "controlled_movement" / "School placed under controlled movement",
        CallSro => "call_sro" / "SRO and/or 911 called (if only the SSO is on campus)",
        KeepUpdated => "keep_updated" / "SRO and/or 911 kept updated",
        ExtraEyes => "extra_eyes" / "Maintenance and custodians asked to be extra eyes",
        ContactInPairs => "contact_in_pairs" / "Contact made in pairs, only if safe (SRO & SSO, SRO & administrator, SSO & administrator)",
        PoliceCalled => "police_called" / "Police or sheriff called (at any time, if the threat escalates)",
        LeadersNotified => "leaders_notified" / "Chief of campus police or safety director and superintendent notified",
    }
}

impl ThreatStep {
    /// Steps Triad ticks itself: the controlled movement the report places, and the notices it
    /// sends when police or sheriff are called.
    pub fn is_automatic(self) -> bool {
        matches!(
            self,
            ThreatStep::ControlledMovement | ThreatStep::LeadersNotified
        )
    }
}

text_enum! {
    /// What else an event's timeline records besides status moves.
    TimelineKind {
        Step => "step" / "Checklist step",
        Note => "note" / "Note",
        Notice => "notice" / "Notice to a district leader",
        Acknowledged => "acknowledged" / "Notice acknowledged",
        AfterAction => "after_action" / "After-action note",
        FollowUp => "follow_up" / "Follow-up item",
        FollowUpDone => "follow_up_done" / "Follow-up done",
    }
}

/// How a timeline entry's action code reads: a status move or another kind of entry.
pub fn timeline_label(code: &str) -> &'static str {
    Move::from_code(code)
        .map(|m| m.label())
        .or_else(|| TimelineKind::from_code(code).map(|k| k.label()))
        .unwrap_or("")
}

/// The partners who may make contact with a threatening person, two together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Partner {
    Sro,
    Sso,
    Administrator,
}

fn partners(who: Who<'_>) -> Vec<Partner> {
    let mut p = Vec::new();
    if who.is_sworn_officer() && who.has(Role::Sro) {
        p.push(Partner::Sro);
    }
    if who.has(Role::Sso) {
        p.push(Partner::Sso);
    }
    if who.has(Role::CampusAdmin) {
        p.push(Partner::Administrator);
    }
    p
}

/// No lone contact with a threatening person: contact is made by two different partners of
/// the seed's pairs (SRO & SSO, SRO & administrator, SSO & administrator).
pub fn check_contact_pair(first: Who<'_>, second: Option<Who<'_>>) -> Result<(), Refused> {
    const PAIRS: &str =
        "contact is made in pairs: SRO & SSO, SRO & administrator, or SSO & administrator";
    let Some(second) = second else {
        return Err(Refused(format!("never alone: {PAIRS}; name the partner")));
    };
    let (a, b) = (partners(first), partners(second));
    if a.iter().any(|x| b.iter().any(|y| x != y)) {
        Ok(())
    } else {
        Err(Refused(PAIRS.to_string()))
    }
}

/// The words an administrator accepts to lift a lockdown without an officer's all clear.
pub const RESPONSIBILITY_STATEMENT: &str =
    "I lift this lockdown without a sworn officer's all clear. \
The school accepts responsibility for the safety of the campus from this moment.";

/// The state of a campus's open event (or of a campus with none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub status: CampusStatus,
    /// A sweep has been recorded since the lockdown was called.
    pub swept: bool,
}

impl State {
    pub const NORMAL: State = State {
        status: CampusStatus::Normal,
        swept: false,
    };
}

/// Who is asking: their roles on this campus and whether they are sworn. Made outside the
/// domain only from the roles that hold for the campus ([`RolesHere`]), never from roles held
/// elsewhere.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub(crate) roles: &'a [Role],
    pub(crate) sworn: bool,
}

impl<'a> From<&'a RolesHere> for Who<'a> {
    fn from(here: &'a RolesHere) -> Self {
        Self {
            roles: here.roles(),
            sworn: here.sworn(),
        }
    }
}

impl Who<'_> {
    fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// An SRO or another certified law-enforcement account.
    fn is_sworn_officer(&self) -> bool {
        self.sworn && (self.has(Role::Sro) || self.has(Role::LeSupervisor))
    }

    fn may_call(&self) -> bool {
        self.has(Role::CampusAdmin) || self.has(Role::Sro) || self.has(Role::Sso)
    }
}

/// Why a move is refused, in words for the person who tried it. The two states are written
/// `{controlled movement}` and `{lockdown}`, said in the district's words by [`Refused::in_words`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.in_words(&StateWords::default()))]
pub struct Refused(pub String);

impl Refused {
    /// The reason, with the states in the district's words.
    pub fn in_words(&self, words: &StateWords) -> String {
        self.0
            .replace(
                "{controlled movement}",
                &words.in_sentence(CampusStatus::ControlledMovement),
            )
            .replace("{lockdown}", &words.in_sentence(CampusStatus::Lockdown))
    }
}

fn refuse(reason: &str) -> Result<State, Refused> {
    Err(Refused(reason.to_string()))
}

const WHO_CLEARS: &str = "only a sworn officer (the SRO or another certified law-enforcement officer) gives the all clear from a {lockdown}; \
a campus administrator may instead lift it by accepting responsibility";

/// The state after a move, or why it may not be made. `accepted` is the administrator's
/// acceptance of responsibility (only read for a school lift).
pub fn apply(state: State, m: Move, who: Who<'_>, accepted: bool) -> Result<State, Refused> {
    use CampusStatus::*;
    match (m, state.status) {
        (Move::CallControlledMovement | Move::CallLockdown | Move::ReportThreat, _)
            if !who.may_call() =>
        {
            refuse("campus administrators, SROs and SSOs call {controlled movement} or a {lockdown}; anyone else tells them, or calls 911")
        }
        // A threat places the school under controlled movement, or keeps the stricter status.
        (Move::ReportThreat, Normal) => Ok(State {
            status: ControlledMovement,
            swept: false,
        }),
        (Move::ReportThreat, _) => Ok(state),
        (Move::CallControlledMovement, Normal) => Ok(State {
            status: ControlledMovement,
            swept: false,
        }),
        (Move::CallControlledMovement, ControlledMovement) => {
            refuse("{controlled movement} is already in force")
        }
        (Move::CallControlledMovement, Lockdown) => refuse("the campus is in {lockdown}"),
        (Move::CallLockdown, Lockdown) => refuse("a {lockdown} is already in force on this campus"),
        (Move::CallLockdown, _) => Ok(State {
            status: Lockdown,
            swept: false,
        }),
        (Move::RecordSweep, Lockdown) if who.is_sworn_officer() => Ok(State {
            status: Lockdown,
            swept: true,
        }),
        (Move::RecordSweep, Lockdown) => {
            refuse("the sweep is recorded by the sworn officer who clears the campus")
        }
        (Move::RecordSweep, _) => refuse("a sweep is recorded during a {lockdown}"),
        (Move::AllClear, Lockdown) if !who.is_sworn_officer() => refuse(WHO_CLEARS),
        (Move::AllClear, Lockdown) if !state.swept => {
            refuse("record the sweep of the campus (areas checked, by whom) before the all clear")
        }
        (Move::AllClear, Lockdown) => Ok(State::NORMAL),
        (Move::AllClear, _) => refuse("there is no {lockdown} to clear"),
        (Move::SchoolLift, Lockdown) if !who.has(Role::CampusAdmin) => {
            refuse("only a campus administrator may lift a {lockdown} for the school; otherwise a sworn officer gives the all clear")
        }
        (Move::SchoolLift, Lockdown) if !accepted => refuse(
            "to lift the {lockdown} without an officer, accept the school's responsibility in so many words",
        ),
        (Move::SchoolLift, Lockdown) => Ok(State::NORMAL),
        (Move::SchoolLift, _) => refuse("there is no {lockdown} to lift"),
        (Move::EndControlledMovement, ControlledMovement) if who.may_call() => Ok(State::NORMAL),
        (Move::EndControlledMovement, ControlledMovement) => {
            refuse("campus administrators, SROs and SSOs end {controlled movement}")
        }
        (Move::EndControlledMovement, Lockdown) => refuse(WHO_CLEARS),
        (Move::EndControlledMovement, Normal) => refuse("{controlled movement} is not in force"),
    }
}

/// A second threat response is not opened on a campus while one is open: what is seen or
/// reported meanwhile goes on the open one's checklist.
pub fn may_open_threat_response(m: Move, threat_response_open: bool) -> Result<(), Refused> {
    if m == Move::ReportThreat && threat_response_open {
        return Err(Refused(
            "a threat response is already open on this campus: add to its checklist".into(),
        ));
    }
    Ok(())
}

/// A district's own words for the two campus states Triad has, where it chose them (for
/// example the Standard Response Protocol's "Secure" or "Hold" for controlled movement).
/// Only the words change: the authority rules are the same whatever they are called.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateWords {
    pub controlled_movement: Option<String>,
    pub lockdown: Option<String>,
}

impl StateWords {
    /// Reads the words from a form: empty keeps Triad's; otherwise 2 to 30 letters, spaces or
    /// hyphens, and the two may not read the same (nor as "Normal").
    pub fn parse(controlled_movement: &str, lockdown: &str) -> Result<StateWords, Invalid> {
        let mut invalid = Invalid::default();
        let mut word = |field: &'static str, text: &str| {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                return None;
            }
            let fits = (2..=30).contains(&text.chars().count())
                && text
                    .chars()
                    .all(|c| c.is_alphabetic() || c == ' ' || c == '-');
            if !fits {
                invalid.push(field, "use 2 to 30 letters (spaces and hyphens allowed), or leave it empty for Triad's word");
                return None;
            }
            Some(text)
        };
        let words = StateWords {
            controlled_movement: word("controlled_movement_words", controlled_movement),
            lockdown: word("lockdown_words", lockdown),
        };
        let cm = words.label(CampusStatus::ControlledMovement).to_lowercase();
        let ld = words.label(CampusStatus::Lockdown).to_lowercase();
        if cm == ld {
            invalid.push("lockdown_words", "the two states need different words");
        }
        if cm == "normal" || ld == "normal" {
            invalid.push(
                "controlled_movement_words",
                "\"Normal\" is the campus with neither",
            );
        }
        invalid.into_result()?;
        Ok(words)
    }

    /// A status inside a sentence: the district's word as it chose it, or Triad's in lower case.
    pub fn in_sentence(&self, status: CampusStatus) -> String {
        let own = match status {
            CampusStatus::ControlledMovement => self.controlled_movement.as_deref(),
            CampusStatus::Lockdown => self.lockdown.as_deref(),
            CampusStatus::Normal => None,
        };
        own.map_or_else(|| status.label().to_lowercase(), str::to_string)
    }

    /// A status as the district's people read it.
    pub fn label(&self, status: CampusStatus) -> String {
        let own = match status {
            CampusStatus::ControlledMovement => self.controlled_movement.as_deref(),
            CampusStatus::Lockdown => self.lockdown.as_deref(),
            CampusStatus::Normal => None,
        };
        own.unwrap_or(status.label()).to_string()
    }

    /// A timeline entry's action as the district's people read it: a move in their words,
    /// any other entry as Triad names it.
    pub fn timeline_label(&self, code: &str) -> String {
        match Move::from_code(code) {
            Some(m) => self.move_label(m),
            None => timeline_label(code).to_string(),
        }
    }

    /// A stored status code as the district's people read it.
    pub fn status_label(&self, code: &str) -> String {
        self.label(CampusStatus::from_code(code).unwrap_or(CampusStatus::Normal))
    }

    /// A move as the district's people read it: calling or ending a state takes its word.
    pub fn move_label(&self, m: Move) -> String {
        match (m, &self.controlled_movement, &self.lockdown) {
            (Move::CallControlledMovement, Some(w), _) => format!("Call {w}"),
            (Move::EndControlledMovement, Some(w), _) => format!("End {w}"),
            (Move::CallLockdown, _, Some(w)) => format!("Call {w}"),
            _ => m.label().to_string(),
        }
    }
}

/// How a move is shown: what it does to the campus decides its colour and weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveTone {
    /// Puts the campus in lockdown.
    Lockdown,
    /// Restricts movement (controlled movement, a threat response).
    Caution,
    /// Returns the campus to normal.
    Clear,
    /// A step on the way (the sweep).
    Step,
}

impl MoveTone {
    pub fn code(self) -> &'static str {
        match self {
            MoveTone::Lockdown => "lockdown",
            MoveTone::Caution => "caution",
            MoveTone::Clear => "clear",
            MoveTone::Step => "step",
        }
    }
}

impl Move {
    pub fn tone(self) -> MoveTone {
        match self {
            Move::CallLockdown => MoveTone::Lockdown,
            Move::CallControlledMovement | Move::ReportThreat => MoveTone::Caution,
            Move::AllClear | Move::SchoolLift | Move::EndControlledMovement => MoveTone::Clear,
            Move::RecordSweep => MoveTone::Step,
        }
    }
}

/// The moves a person may make next on a campus, in the order a page offers them: exactly
/// those [`apply`] accepts from them in this state (a school lift counted as accepted, which
/// its form asks for), less a sweep already recorded and a second threat response.
pub fn next_moves(state: State, who: Who<'_>, threat_response_open: bool) -> Vec<Move> {
    const ORDER: [Move; 7] = [
        Move::CallLockdown,
        Move::CallControlledMovement,
        Move::RecordSweep,
        Move::AllClear,
        Move::SchoolLift,
        Move::EndControlledMovement,
        Move::ReportThreat,
    ];
    ORDER
        .into_iter()
        .filter(|m| apply(state, *m, who, true).is_ok())
        .filter(|m| may_open_threat_response(*m, threat_response_open).is_ok())
        .filter(|m| !(*m == Move::RecordSweep && state.swept))
        .collect()
}

/// Who acts on a campus in this state when the reader may not, in the district's words for
/// its states: said beside (or instead of) the moves.
pub fn who_acts(state: State, words: &StateWords) -> String {
    let movement = words.label(CampusStatus::ControlledMovement);
    let lockdown = words.label(CampusStatus::Lockdown);
    match state.status {
        CampusStatus::Lockdown if state.swept => format!(
            "The sweep is recorded: the SRO or another sworn officer gives the all clear. The campus administrator may instead lift the {} for the school.",
            lockdown.to_lowercase()
        ),
        CampusStatus::Lockdown => format!(
            "The SRO or another sworn officer sweeps the campus, then gives the all clear. The campus administrator may instead lift the {} for the school.",
            lockdown.to_lowercase()
        ),
        CampusStatus::ControlledMovement => format!(
            "The campus administrator, the SRO or the SSO ends {} or calls {}.",
            movement.to_lowercase(),
            lockdown.to_lowercase()
        ),
        CampusStatus::Normal => format!(
            "The campus administrator, the SRO or the SSO calls {} or {}. Tell one of them, or call 911.",
            movement.to_lowercase(),
            lockdown.to_lowercase()
        ),
    }
}

/// What a person wrote with a move on a campus's status, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoveNotes<'a> {
    /// For a sweep: the areas checked.
    pub areas: &'a str,
    /// The officers responding.
    pub responders: &'a str,
    pub note: &'a str,
    /// For a potential threat: what was seen or reported, and where.
    pub threat: &'a str,
}

/// What a move adds to the timeline: what was reported, the areas checked, who responded, the
/// administrator's acceptance of responsibility for a school lift, and the note. A sweep
/// names its areas and a threat says what was seen; nothing else is required.
pub fn move_detail(m: Move, notes: MoveNotes<'_>) -> Result<Option<String>, Invalid> {
    let mut invalid = Invalid::default();
    let areas = invalid
        .check(parse_text("areas", notes.areas, 2000))
        .flatten();
    let responders = invalid
        .check(parse_text("responders", notes.responders, 1000))
        .flatten();
    let note = invalid
        .check(parse_text("note", notes.note, 2000))
        .flatten();
    let threat = invalid
        .check(parse_text("threat", notes.threat, 2000))
        .flatten();
    if m == Move::RecordSweep && areas.is_none() {
        invalid.push("areas", "say which areas were checked");
    }
    if m == Move::ReportThreat && threat.is_none() {
        invalid.push("threat", "say what was seen or reported, and where");
    }
    invalid.into_result()?;
    let mut parts = Vec::new();
    if let Some(t) = threat {
        parts.push(format!("Reported: {t}"));
    }
    if let Some(a) = areas {
        parts.push(format!("Areas checked: {a}"));
    }
    if let Some(r) = responders {
        parts.push(format!("Responding officers: {r}"));
    }
    if m == Move::SchoolLift {
        parts.push(format!("Accepted: {RESPONSIBILITY_STATEMENT}"));
    }
    if let Some(n) = note {
        parts.push(n);
    }
    Ok(Some(parts.join("\n")).filter(|p| !p.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_district_names_the_states_in_its_own_words_and_the_rules_stay() {
        let srp = StateWords::parse(" Secure ", "Lockdown").unwrap();
        assert_eq!(srp.label(CampusStatus::ControlledMovement), "Secure");
        assert_eq!(srp.label(CampusStatus::Lockdown), "Lockdown");
        assert_eq!(srp.label(CampusStatus::Normal), "Normal");
        assert_eq!(srp.move_label(Move::CallControlledMovement), "Call Secure");
        assert_eq!(srp.move_label(Move::EndControlledMovement), "End Secure");
        assert_eq!(srp.move_label(Move::AllClear), Move::AllClear.label());
        assert_eq!(srp.timeline_label("controlled_movement"), "Call Secure");
        assert_eq!(srp.timeline_label("note"), "Note");
        assert_eq!(srp.status_label("controlled_movement"), "Secure");
        let normal = who_acts(State::NORMAL, &srp);
        assert!(normal.contains("calls secure or lockdown"), "{normal}");
        let triads = StateWords::parse("", "").unwrap();
        assert_eq!(triads, StateWords::default());
        assert_eq!(
            triads.label(CampusStatus::ControlledMovement),
            "Controlled movement"
        );
        for (cm, ld, field) in [
            ("Hold", "hold", "lockdown_words"),
            ("Normal", "", "controlled_movement_words"),
            ("<b>", "", "controlled_movement_words"),
            ("x", "", "controlled_movement_words"),
            ("", &"L".repeat(31), "lockdown_words"),
        ] {
            let refused = StateWords::parse(cm, ld).unwrap_err();
            assert_eq!(refused.errors[0].field, field, "{cm:?} {ld:?}");
        }
    }

    #[test]
    fn each_reader_is_offered_only_the_next_moves_they_may_make() {
        let normal = State::NORMAL;
        let controlled = State {
            status: CampusStatus::ControlledMovement,
            swept: false,
        };
        let locked = State {
            status: CampusStatus::Lockdown,
            swept: false,
        };
        let swept = State {
            status: CampusStatus::Lockdown,
            swept: true,
        };
        let sro = who(&[Role::Sro], true);
        let sso = who(&[Role::Sso], false);
        let principal = who(&[Role::CampusAdmin], false);
        let staff = who(&[Role::Staff], false);
        use Move::*;
        for caller in [sro, sso, principal] {
            assert_eq!(
                next_moves(normal, caller, false),
                [CallLockdown, CallControlledMovement, ReportThreat]
            );
            assert_eq!(
                next_moves(controlled, caller, false),
                [CallLockdown, EndControlledMovement, ReportThreat]
            );
            // A threat response already open takes what is seen on its checklist.
            assert!(!next_moves(controlled, caller, true).contains(&ReportThreat));
        }
        // In a lockdown: the officer sweeps, then clears; the administrator may lift it for
        // the school; the SSO has no move to make.
        assert_eq!(next_moves(locked, sro, false), [RecordSweep, ReportThreat]);
        assert_eq!(next_moves(swept, sro, false), [AllClear, ReportThreat]);
        assert_eq!(
            next_moves(locked, principal, false),
            [SchoolLift, ReportThreat]
        );
        assert_eq!(
            next_moves(swept, principal, false),
            [SchoolLift, ReportThreat]
        );
        assert_eq!(next_moves(locked, sso, false), [ReportThreat]);
        for state in [normal, controlled, locked, swept] {
            assert!(next_moves(state, staff, false).is_empty());
            // Whatever is offered is accepted.
            for caller in [sro, sso, principal, staff] {
                for m in next_moves(state, caller, false) {
                    assert!(apply(state, m, caller, true).is_ok(), "{m:?} in {state:?}");
                }
            }
        }
        assert_eq!(CallLockdown.tone(), MoveTone::Lockdown);
        assert_eq!(AllClear.tone(), MoveTone::Clear);
    }

    const PEOPLE: &[(&[Role], bool)] = &[
        (&[Role::Sro], true),
        (&[Role::Sro], false),
        (&[Role::LeSupervisor], true),
        (&[Role::Sso], false),
        (&[Role::CampusAdmin], false),
        (&[Role::Staff], false),
        (&[Role::DistrictLeader], false),
        (&[Role::Evaluator], false),
        (&[Role::SystemAdmin], false),
    ];

    fn states() -> Vec<State> {
        CampusStatus::ALL
            .iter()
            .flat_map(|s| [false, true].map(|swept| State { status: *s, swept }))
            .collect()
    }

    /// Every role × every move × every state × accepted or not: the table of the seed.
    #[test]
    fn every_role_every_move_every_state() {
        for state in states() {
            for m in Move::ALL {
                for (roles, sworn) in PEOPLE {
                    for accepted in [false, true] {
                        let who = Who {
                            roles,
                            sworn: *sworn,
                        };
                        let result = apply(state, *m, who, accepted);
                        let officer = *sworn
                            && (roles.contains(&Role::Sro) || roles.contains(&Role::LeSupervisor));
                        let caller = roles
                            .iter()
                            .any(|r| matches!(r, Role::CampusAdmin | Role::Sro | Role::Sso));
                        let expected = match (m, state.status) {
                            (Move::CallControlledMovement, CampusStatus::Normal) => caller,
                            (
                                Move::CallLockdown,
                                CampusStatus::Normal | CampusStatus::ControlledMovement,
                            ) => caller,
                            (Move::RecordSweep, CampusStatus::Lockdown) => officer,
                            (Move::AllClear, CampusStatus::Lockdown) => officer && state.swept,
                            (Move::SchoolLift, CampusStatus::Lockdown) => {
                                roles.contains(&Role::CampusAdmin) && accepted
                            }
                            (Move::EndControlledMovement, CampusStatus::ControlledMovement) => {
                                caller
                            }
                            (Move::ReportThreat, _) => caller,
                            _ => false,
                        };
                        assert_eq!(result.is_ok(), expected, "{state:?} {m:?} {roles:?} sworn={sworn} accepted={accepted}: {result:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_sso_is_told_who_can_clear() {
        let lockdown = State {
            status: CampusStatus::Lockdown,
            swept: true,
        };
        let e = apply(
            lockdown,
            Move::AllClear,
            Who {
                roles: &[Role::Sso],
                sworn: false,
            },
            false,
        )
        .unwrap_err();
        assert!(e.0.contains("sworn officer"), "{e}");
    }

    fn who(roles: &[Role], sworn: bool) -> Who<'_> {
        Who { roles, sworn }
    }

    #[test]
    fn contact_is_made_only_by_the_seeds_pairs() {
        let sro = who(&[Role::Sro], true);
        let sso = who(&[Role::Sso], false);
        let admin = who(&[Role::CampusAdmin], false);
        let staff = who(&[Role::Staff], false);
        let unsworn_sro = who(&[Role::Sro], false);
        for (a, b) in [(sro, sso), (sro, admin), (sso, admin), (admin, sro)] {
            assert!(check_contact_pair(a, Some(b)).is_ok());
        }
        for (a, b) in [
            (sro, sro),
            (sso, sso),
            (admin, admin),
            (sro, staff),
            (unsworn_sro, admin),
        ] {
            assert!(check_contact_pair(a, Some(b)).is_err());
        }
        let alone = check_contact_pair(sro, None).unwrap_err();
        assert!(alone.0.contains("never alone"), "{alone}");
    }

    #[test]
    fn a_threat_places_controlled_movement_and_keeps_a_lockdown() {
        let admin = who(&[Role::CampusAdmin], false);
        let cm = apply(State::NORMAL, Move::ReportThreat, admin, false).unwrap();
        assert_eq!(cm.status, CampusStatus::ControlledMovement);
        let lockdown = State {
            status: CampusStatus::Lockdown,
            swept: false,
        };
        assert_eq!(
            apply(lockdown, Move::ReportThreat, admin, false),
            Ok(lockdown)
        );
        assert_eq!(timeline_label("threat"), Move::ReportThreat.label());
        assert_eq!(timeline_label("note"), "Note");
    }

    proptest! {
        /// Over random sequences, a lockdown ends only by a sworn officer's all clear after a
        /// sweep, or by an administrator's accepted school lift.
        #[test]
        fn a_lockdown_never_ends_without_a_sweep_or_accepted_responsibility(
            steps in proptest::collection::vec((0..Move::ALL.len(), 0..PEOPLE.len(), any::<bool>()), 1..60)
        ) {
            let mut state = State::NORMAL;
            for (m, p, accepted) in steps {
                let (roles, sworn) = PEOPLE[p];
                let m = Move::ALL[m];
                let who = Who { roles, sworn };
                if let Ok(next) = apply(state, m, who, accepted) {
                    if state.status == CampusStatus::Lockdown && next.status != CampusStatus::Lockdown {
                        let cleared = m == Move::AllClear && state.swept && sworn
                            && (roles.contains(&Role::Sro) || roles.contains(&Role::LeSupervisor));
                        let lifted = m == Move::SchoolLift && accepted && roles.contains(&Role::CampusAdmin);
                        prop_assert!(cleared || lifted);
                    }
                    state = next;
                }
            }
        }
    }

    #[test]
    fn a_second_threat_response_waits_for_the_first() {
        assert!(may_open_threat_response(Move::ReportThreat, false).is_ok());
        let refused = may_open_threat_response(Move::ReportThreat, true).unwrap_err();
        assert!(refused.0.contains("already open"));
        assert!(may_open_threat_response(Move::CallLockdown, true).is_ok());
    }

    #[test]
    fn a_move_says_what_its_kind_needs() {
        let sweep = move_detail(Move::RecordSweep, MoveNotes::default()).unwrap_err();
        assert_eq!(sweep.errors[0].field, "areas");
        let threat = move_detail(Move::ReportThreat, MoveNotes::default()).unwrap_err();
        assert_eq!(threat.errors[0].field, "threat");
        assert_eq!(
            move_detail(Move::CallLockdown, MoveNotes::default()),
            Ok(None)
        );
        let notes = MoveNotes {
            areas: " Gym, cafeteria ",
            responders: "Deputy Ruiz",
            note: "All clear",
            threat: "",
        };
        assert_eq!(
            move_detail(Move::RecordSweep, notes).unwrap().as_deref(),
            Some("Areas checked: Gym, cafeteria\nResponding officers: Deputy Ruiz\nAll clear")
        );
        let lift = move_detail(Move::SchoolLift, MoveNotes::default())
            .unwrap()
            .unwrap();
        assert!(lift.starts_with("Accepted: "));
    }
}
