//! Identifiers in frab schedules: UUIDv5 guids derived from the acronym and a
//! slug, and positive integer ids that stay put when talks are added.
//!
//! Guids: `uuid5(NAMESPACE, "<acronym>/<kind>/<slug>")` where `kind` is
//! `talks`, `rooms` or `speakers`, and `NAMESPACE` is
//! `uuid5(NAMESPACE_URL, "urn:programme:frab")`.
//!
//! Integer ids: the first 31 bits of `uuid5(NAMESPACE, "<kind>/<slug>")`, so
//! each depends only on its own slug. Ids pinned in front matter (`id:`) are
//! taken first; a derived id that is already taken moves to the next free
//! number, in slug order. A collision among 31-bit hashes is rare (about one
//! in four thousand for a thousand talks); pinning settles it for good.

use std::collections::BTreeSet;
use uuid::Uuid;

/// The largest id handed out: apps store ids in 32-bit signed integers.
pub const MAX_ID: u32 = i32::MAX as u32;

fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:programme:frab")
}

/// What a guid or id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Talk,
    Room,
    Speaker,
}

impl Kind {
    fn folder(self) -> &'static str {
        match self {
            Kind::Talk => "talks",
            Kind::Room => "rooms",
            Kind::Speaker => "speakers",
        }
    }
}

/// The stable guid of a talk, room or speaker of the conference `acronym`.
pub fn guid(acronym: &str, kind: Kind, slug: &str) -> String {
    let name = format!("{acronym}/{}/{slug}", kind.folder());
    Uuid::new_v5(&namespace(), name.as_bytes())
        .hyphenated()
        .to_string()
}

/// The id a slug gets when it does not collide: 1..=MAX_ID.
pub fn derived_id(kind: Kind, slug: &str) -> u32 {
    let name = format!("{}/{slug}", kind.folder());
    let bytes = Uuid::new_v5(&namespace(), name.as_bytes()).into_bytes();
    let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) & MAX_ID;
    n.max(1)
}

/// Assigns ids to `slugs` (in any order): `pinned[i]` when given, otherwise
/// the derived id, moved to the next free number on a collision. Pinned ids
/// must already be unique and in 1..=MAX_ID (the caller checks).
pub fn assign(kind: Kind, slugs: &[&str], pinned: &[Option<u32>]) -> Vec<u32> {
    let mut taken: BTreeSet<u32> = pinned.iter().flatten().copied().collect();
    let mut ids: Vec<u32> = pinned.iter().map(|p| p.unwrap_or(0)).collect();
    let mut order: Vec<usize> = (0..slugs.len()).filter(|&i| pinned[i].is_none()).collect();
    order.sort_by(|&a, &b| slugs[a].cmp(slugs[b]));
    for i in order {
        let mut id = derived_id(kind, slugs[i]);
        while taken.contains(&id) {
            id = if id >= MAX_ID { 1 } else { id + 1 };
        }
        taken.insert(id);
        ids[i] = id;
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_version_5_uuids() {
        let a = guid("tictec2017", Kind::Talk, "keynote");
        assert_eq!(a, guid("tictec2017", Kind::Talk, "keynote"));
        assert_ne!(a, guid("tictec2018", Kind::Talk, "keynote"));
        assert_ne!(a, guid("tictec2017", Kind::Room, "keynote"));
        let parsed = Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 5);
    }

    #[test]
    fn ids_are_positive_and_independent_of_other_talks() {
        let few = assign(Kind::Talk, &["a", "b"], &[None, None]);
        let more = assign(Kind::Talk, &["zz", "a", "b"], &[None, None, None]);
        assert_eq!(few, vec![more[1], more[2]]);
        assert!(more.iter().all(|&i| (1..=MAX_ID).contains(&i)));
    }

    #[test]
    fn collisions_move_the_later_slug_and_pins_win() {
        let d = derived_id(Kind::Talk, "b");
        let ids = assign(Kind::Talk, &["a", "b"], &[Some(d), None]);
        assert_eq!(ids, vec![d, if d == MAX_ID { 1 } else { d + 1 }]);
        let ids = assign(Kind::Talk, &["b", "b2"], &[None, Some(MAX_ID)]);
        assert_eq!(ids[1], MAX_ID);
        assert_ne!(ids[0], ids[1]);
    }
}
