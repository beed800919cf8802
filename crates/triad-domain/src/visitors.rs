//! Campus bans and visitor sign-in (seed 001: greet unknown persons, ask for ID, escort them
//! to sign in). Every sign-in is checked against the bans in force. Matching a name and a
//! birth date alone both misses people (nicknames, swapped names, spelling) and catches the
//! wrong ones, so this module proposes *candidates* with the reasons they match, and a person
//! decides.

use crate::org::text_enum;
use crate::{Invalid, Timestamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a ban applies.
    BanScope {
        Campus => "campus" / "This campus",
        District => "district" / "Every campus of the district",
    }
}

text_enum! {
    /// The identification seen at sign-in.
    IdType {
        DriversLicense => "drivers_license" / "Driver's license",
        StateId => "state_id" / "State ID card",
        Passport => "passport" / "Passport",
        Military => "military" / "Military ID",
        Other => "other" / "Other photo ID",
    }
}

text_enum! {
    /// What a person decided about a candidate match.
    MatchDecision {
        Pending => "pending" / "Waiting for a decision",
        Confirmed => "confirmed" / "Confirmed: this is the banned person",
        Dismissed => "dismissed" / "Dismissed: not the same person",
    }
}

text_enum! {
    /// Why a visitor may be a banned person, strongest first.
    MatchReason {
        SameName => "same_name" / "Same first and last name",
        Nickname => "nickname" / "First name is a nickname of the banned person's",
        Transposed => "transposed" / "First and last names are swapped",
        SameBirthDate => "same_birth_date" / "Same date of birth",
        SimilarSpelling => "similar_spelling" / "Last name spelled almost the same",
        SameFamilyName => "same_family_name" / "Same last name",
        SameGivenName => "same_given_name" / "Same first name (or its nickname)",
        DifferentBirthDate => "different_birth_date" / "Date of birth differs",
    }
}

/// Latin letters with marks, folded to what a front-office keyboard types.
const FOLDS: &[(char, &str)] = &[
    ('à', "a"),
    ('á', "a"),
    ('â', "a"),
    ('ã', "a"),
    ('ä', "a"),
    ('å', "a"),
    ('ā', "a"),
    ('ă', "a"),
    ('ą', "a"),
    ('æ', "ae"),
    ('ç', "c"),
    ('ć', "c"),
    ('č', "c"),
    ('ď', "d"),
    ('đ', "d"),
    ('è', "e"),
    ('é', "e"),
    ('ê', "e"),
    ('ë', "e"),
    ('ē', "e"),
    ('ė', "e"),
    ('ę', "e"),
    ('ě', "e"),
    ('ğ', "g"),
    ('ì', "i"),
    ('í', "i"),
    ('î', "i"),
    ('ï', "i"),
    ('ī', "i"),
    ('ı', "i"),
    ('ł', "l"),
    ('ñ', "n"),
    ('ń', "n"),
    ('ň', "n"),
    ('ò', "o"),
    ('ó', "o"),
    ('ô', "o"),
    ('õ', "o"),
    ('ö', "o"),
    ('ø', "o"),
    ('ō', "o"),
    ('ő', "o"),
    ('œ', "oe"),
    ('ř', "r"),
    ('ś', "s"),
    ('š', "s"),
    ('ş', "s"),
    ('ß', "ss"),
    ('ť', "t"),
    ('ţ', "t"),
    ('ù', "u"),
    ('ú', "u"),
    ('û', "u"),
    ('ü', "u"),
    ('ū', "u"),
    ('ů', "u"),
    ('ű', "u"),
    ('ý', "y"),
    ('ÿ', "y"),
    ('ź', "z"),
    ('ż', "z"),
    ('ž', "z"),
];

/// A name as compared: lower case, marks folded, apostrophes and periods dropped, other
/// punctuation a space, spaces collapsed ("O'Neil" → "oneil", "St. John" → "st john").
pub fn normalise_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if let Some((_, folded)) = FOLDS.iter().find(|(from, _)| *from == c) {
            out.push_str(folded);
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if matches!(c, '\'' | '’' | '.') {
            continue;
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Common US English nicknames and the given names they stand for.
const NICKNAMES: &[(&str, &str)] = &[
    ("bob", "robert"),
    ("bobby", "robert"),
    ("rob", "robert"),
    ("robbie", "robert"),
    ("bert", "robert"),
    ("bill", "william"),
    ("billy", "william"),
    ("will", "william"),
    ("willy", "william"),
    ("liam", "william"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("jamie", "james"),
    ("mike", "michael"),
    ("mikey", "michael"),
    ("mick", "michael"),
    ("kate", "katherine"),
    ("katie", "katherine"),
    ("kathy", "katherine"),
    ("cathy", "katherine"),
    ("kat", "katherine"),
    ("catherine", "katherine"),
    ("kathryn", "katherine"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("eliza", "elizabeth"),
    ("lizzie", "elizabeth"),
    ("tony", "anthony"),
    ("dick", "richard"),
    ("rick", "richard"),
    ("ricky", "richard"),
    ("rich", "richard"),
    ("richie", "richard"),
    ("chris", "christopher"),
    ("alex", "alexander"),
    ("sam", "samuel"),
    ("sammy", "samuel"),
    ("ben", "benjamin"),
    ("benny", "benjamin"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("davey", "david"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("steve", "steven"),
    ("stephen", "steven"),
    ("matt", "matthew"),
    ("nick", "nicholas"),
    ("pat", "patrick"),
    ("paddy", "patrick"),
    ("peggy", "margaret"),
    ("maggie", "margaret"),
    ("meg", "margaret"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("jen", "jennifer"),
    ("jenny", "jennifer"),
    ("becky", "rebecca"),
    ("ted", "edward"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("ned", "edward"),
    ("hank", "henry"),
    ("harry", "henry"),
    ("jack", "john"),
    ("johnny", "john"),
    ("chuck", "charles"),
    ("charlie", "charles"),
    ("larry", "lawrence"),
    ("greg", "gregory"),
    ("jeff", "jeffrey"),
    ("ron", "ronald"),
    ("ronnie", "ronald"),
    ("don", "donald"),
    ("donnie", "donald"),
    ("gabe", "gabriel"),
    ("abby", "abigail"),
    ("mandy", "amanda"),
    ("vicky", "victoria"),
    ("tori", "victoria"),
    ("trish", "patricia"),
    ("tricia", "patricia"),
    ("patty", "patricia"),
    ("debbie", "deborah"),
    ("deb", "deborah"),
    ("andy", "andrew"),
    ("drew", "andrew"),
    ("tim", "timothy"),
    ("timmy", "timothy"),
    ("ken", "kenneth"),
    ("kenny", "kenneth"),
    ("josh", "joshua"),
    ("zach", "zachary"),
    ("nate", "nathan"),
    ("jon", "jonathan"),
    ("manny", "manuel"),
    ("pepe", "jose"),
];

/// The given name a (normalised) first name stands for; formal names map to themselves.
pub fn canonical_given_name(normalised: &str) -> String {
    let first = normalised.split(' ').next().unwrap_or_default();
    NICKNAMES
        .iter()
        .find(|(nick, _)| *nick == first)
        .map(|(_, formal)| formal.to_string())
        .unwrap_or_else(|| first.to_string())
}

/// The keys a ban is stored and indexed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKeys {
    pub given_key: String,
    pub family_key: String,
}

/// Keys for the indexed candidate lookup. The store's contract: the candidates of a visitor
/// are the bans in force where `birth_date = visitor's`, or `family_key IN (visitor.family_key,
/// visitor.given_key)`, or `given_key IN (visitor.given_key, visitor.family_key)`. Every ban
/// [`compare`] can accept shares at least one of those with the visitor (tested below).
pub fn name_keys(given: &str, family: &str) -> NameKeys {
    NameKeys {
        given_key: canonical_given_name(&normalise_name(given)),
        family_key: normalise_name(family).replace(' ', ""),
    }
}

/// A person as a sign-in or a ban names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub given: String,
    pub family: String,
    pub birth_date: Option<NaiveDate>,
}

/// A candidate match: why, and how strongly (0–100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub reasons: Vec<MatchReason>,
    pub strength: u8,
}

/// Edit distance with adjacent transpositions (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Whether a visitor may be the banned person, and why. Same birth date alone, or same last
/// name alone, is not a match: too many people share them.
pub fn compare(visitor: &Person, banned: &Person) -> Option<Candidate> {
    let v = name_keys(&visitor.given, &visitor.family);
    let b = name_keys(&banned.given, &banned.family);
    let v_given_written = normalise_name(&visitor.given);
    let b_given_written = normalise_name(&banned.given);
    let family_same = !v.family_key.is_empty() && v.family_key == b.family_key;
    let given_same = !v.given_key.is_empty() && v.given_key == b.given_key;
    let mut reasons = Vec::new();
    let mut name_grounds = false;
    if family_same && given_same {
        name_grounds = true;
        let written_first = |s: &str| s.split(' ').next().unwrap_or_default().to_string();
        reasons.push(
            if written_first(&v_given_written) == written_first(&b_given_written) {
                MatchReason::SameName
            } else {
                MatchReason::Nickname
            },
        );
    } else if !v.family_key.is_empty()
        && canonical_given_name(&v.family_key) == b.given_key
        && v.given_key.replace(' ', "") == b.family_key
    {
        name_grounds = true;
        reasons.push(MatchReason::Transposed);
    } else if family_same {
        reasons.push(MatchReason::SameFamilyName);
    } else if v.family_key.len() >= 4
        && b.family_key.len() >= 4
        && distance(&v.family_key, &b.family_key) <= 1
    {
        reasons.push(MatchReason::SimilarSpelling);
    }
    let birth = match (visitor.birth_date, banned.birth_date) {
        (Some(a), Some(b)) => Some(a == b),
        _ => None,
    };
    let family_like = reasons.iter().any(|r| {
        matches!(
            r,
            MatchReason::SameFamilyName | MatchReason::SimilarSpelling
        )
    });
    let accepted = name_grounds || (birth == Some(true) && (family_like || given_same));
    if !accepted {
        return None;
    }
    if given_same && !name_grounds {
        reasons.push(MatchReason::SameGivenName);
    }
    let mut strength: u8 = if name_grounds { 60 } else { 35 };
    match birth {
        Some(true) => {
            reasons.push(MatchReason::SameBirthDate);
            strength += 35;
        }
        Some(false) => {
            reasons.push(MatchReason::DifferentBirthDate);
            strength -= 30;
        }
        None => {}
    }
    reasons.sort_by_key(|r| MatchReason::ALL.iter().position(|x| x == r));
    reasons.dedup();
    Some(Candidate { reasons, strength })
}

/// The last characters of an ID number: never the whole number.
pub fn parse_id_last_four(field: &'static str, text: &str) -> Result<String, Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Invalid::one(
            field,
            "write the last four characters of the ID number",
        ));
    }
    if t.chars().count() > 4 {
        return Err(Invalid::one(
            field,
            "keep only the last four characters of the ID number, never the whole number",
        ));
    }
    if !t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Invalid::one(field, "use letters and digits only"));
    }
    Ok(t.to_ascii_uppercase())
}

/// A birth date read from an ID: a real date, not in the future, not over 120 years ago.
pub fn parse_birth_date(
    field: &'static str,
    text: &str,
    today: NaiveDate,
) -> Result<NaiveDate, Invalid> {
    let date = crate::org::parse_date(field, text)?;
    if date > today {
        return Err(Invalid::one(
            field,
            "a date of birth cannot be in the future",
        ));
    }
    if today.years_since(date).is_none_or(|y| y > 120) {
        return Err(Invalid::one(
            field,
            "check the date of birth: it is over 120 years ago",
        ));
    }
    Ok(date)
}

/// A ban ends on or after the day it starts (a one-day ban is allowed).
pub fn check_ban_period(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<(), Invalid> {
    if ends_on < starts_on {
        return Err(Invalid::one("ends_on", "the ban must end after it starts"));
    }
    Ok(())
}

/// Sign-in and sign-out times: not in the future, and out not before in.
pub fn check_visit_times(
    time_in: Timestamp,
    time_out: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), Invalid> {
    let mut invalid = Invalid::default();
    if time_in.is_in_the_future(now) {
        invalid.push(
            "time_in",
            "a sign-in is recorded when it happens: this time is in the future",
        );
    }
    if let Some(out) = time_out {
        if out < time_in {
            invalid.push("time_out", "a visitor signs out after signing in");
        }
        if out.is_in_the_future(now) {
            invalid.push("time_out", "this time is in the future");
        }
    }
    invalid.into_result()
}

/// Whether a ban is in force on a day (both ends included).
pub fn ban_is_active(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> bool {
    starts_on <= today && today <= ends_on
}

/// Whether a ban ends between today and `days` from now: the home page's warning.
pub fn expires_within(ends_on: NaiveDate, today: NaiveDate, days: i64) -> bool {
    ends_on >= today && (ends_on - today).num_days() <= days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(given: &str, family: &str, born: Option<&str>) -> Person {
        Person {
            given: given.into(),
            family: family.into(),
            birth_date: born.map(d),
        }
    }

    #[test]
    fn names_are_compared_as_typed_at_a_front_desk() {
        assert_eq!(normalise_name("  José  O'Neil-Núñez "), "jose oneil nunez");
        assert_eq!(normalise_name("St. John"), "st john");
        assert_eq!(name_keys("Bob", "O'Neil").family_key, "oneil");
        assert_eq!(name_keys("Bob", "Smith").given_key, "robert");
    }

    #[test]
    fn nicknames_swaps_and_spellings_are_candidates() {
        let banned = p("Robert", "Smith", Some("1980-04-02"));
        let nick = compare(&p("Bob", "Smith", Some("1980-04-02")), &banned).unwrap();
        assert_eq!(
            nick.reasons,
            vec![MatchReason::Nickname, MatchReason::SameBirthDate]
        );
        let swapped = compare(&p("Smith", "Robert", None), &banned).unwrap();
        assert_eq!(swapped.reasons, vec![MatchReason::Transposed]);
        let spelled = compare(&p("Rob", "Smyth", Some("1980-04-02")), &banned).unwrap();
        assert!(spelled.reasons.contains(&MatchReason::SimilarSpelling));
        let exact = compare(&p("Robert", "Smith", None), &banned).unwrap();
        assert_eq!(exact.reasons, vec![MatchReason::SameName]);
    }

    #[test]
    fn a_birth_date_or_a_last_name_alone_is_not_a_match() {
        let banned = p("Robert", "Smith", Some("1980-04-02"));
        assert!(compare(&p("Roberta", "Jones", Some("1980-04-02")), &banned).is_none());
        assert!(compare(&p("Alice", "Smith", Some("1990-01-01")), &banned).is_none());
        assert!(compare(&p("Alice", "Smith", Some("1980-04-02")), &banned).is_some());
    }

    #[test]
    fn a_different_birth_date_weakens_a_name_match() {
        let banned = p("Robert", "Smith", Some("1980-04-02"));
        let same = compare(&p("Robert", "Smith", Some("1980-04-02")), &banned).unwrap();
        let other = compare(&p("Robert", "Smith", Some("1991-09-09")), &banned).unwrap();
        assert!(other.strength < same.strength);
        assert!(other.reasons.contains(&MatchReason::DifferentBirthDate));
    }

    /// The store finds what compare accepts: every accepted pair shares a key or a date.
    #[test]
    fn the_indexed_keys_find_every_candidate() {
        let names = [
            "Robert", "Bob", "Smith", "Smyth", "Alice", "William", "Bill", "Nguyen", "Jose", "José",
        ];
        let dates = [Some("1980-04-02"), Some("1991-09-09"), None];
        for vg in names {
            for vf in names {
                for bg in names {
                    for bf in names {
                        for vd in dates {
                            for bd in dates {
                                let visitor = p(vg, vf, vd);
                                let banned = p(bg, bf, bd);
                                if compare(&visitor, &banned).is_none() {
                                    continue;
                                }
                                let v = name_keys(vg, vf);
                                let b = name_keys(bg, bf);
                                let found = (vd.is_some() && vd == bd)
                                    || b.family_key == v.family_key
                                    || b.family_key == v.given_key
                                    || b.given_key == v.given_key
                                    || b.given_key == v.family_key;
                                assert!(found, "{vg} {vf} vs {bg} {bf}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(parse_id_last_four("id", "123456789").is_err());
        assert_eq!(parse_id_last_four("id", "d12x").unwrap(), "D12X");
        let today = d("2026-11-23");
        assert!(parse_birth_date("b", "2030-01-01", today).is_err());
        assert!(parse_birth_date("b", "1850-01-01", today).is_err());
        assert!(check_ban_period(d("2026-10-10"), d("2026-10-01")).is_err());
        assert!(check_ban_period(d("2026-10-10"), d("2026-10-10")).is_ok());
        let now = Timestamp::from_millis(1_000_000_000);
        assert!(
            check_visit_times(Timestamp::from_millis(now.millis() + 3_600_000), None, now).is_err()
        );
        assert!(
            check_visit_times(now, Some(Timestamp::from_millis(now.millis() - 1)), now).is_err()
        );
        assert!(ban_is_active(d("2026-01-01"), d("2026-12-31"), today));
        assert!(expires_within(d("2026-11-30"), today, 14));
        assert!(!expires_within(d("2026-11-22"), today, 14));
    }
}
