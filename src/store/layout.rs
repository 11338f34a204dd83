//! Key layout of the Redis store, the same for one server, Sentinel and Cluster:
//!
//! - `{prefix}client:{<tag>}:<client_id>`: the client's record (a string);
//! - `{prefix}clients:{<tag>}`: sorted set of the bucket's client IDs, scored by creation
//!   time (seconds), for listings;
//! - `{prefix}server:jwks`: the server's sealed key set.
//!
//! `<tag>` is the hash tag of the client's bucket, one of [`BUCKETS`], chosen by an FNV-1a
//! hash of the client ID. A client's key and its bucket's index share the tag, so the
//! scripts that write both stay in one Redis Cluster slot (atomic, one round trip). A
//! listing merges the buckets' indexes.
//!
//! Why 16 buckets: a listing reads up to `start + limit` index entries from each bucket, so
//! buckets multiply listing cost; and clients spread over only as many slots as there are
//! buckets. The tags are picked so that their slots sit evenly across 0..16383: a cluster
//! whose primaries own contiguous, equal slot ranges (what `redis-cli --cluster create`
//! makes) holds an even share of clients on each of up to 16 primaries.

/// Number of listing buckets.
pub const BUCKETS: usize = 16;

/// Hash tag of each bucket: bucket `i`'s slot lies in `i * 1024 .. (i + 1) * 1024`.
const TAGS: [&str; BUCKETS] = [
    "c00-126", "c01-21", "c02-19", "c03-12", "c04-49", "c05-42", "c06-3", "c07-4", "c08-5",
    "c09-2", "c10-26", "c11-126", "c12-14", "c13-8", "c14-45", "c15-59",
];

#[derive(Clone)]
pub struct Layout {
    prefix: String,
}

impl Layout {
    pub fn new(prefix: &str) -> Layout {
        Layout { prefix: prefix.to_owned() }
    }

    /// Built with pushes, not `format!`: every request to a client builds its key, and
    /// the format machinery cost more than the rest of the key lookup (callgrind).
    pub fn client(&self, client_id: &str) -> String {
        let tag = TAGS[bucket(client_id)];
        let mut key = String::with_capacity(self.prefix.len() + tag.len() + client_id.len() + 10);
        for part in [self.prefix.as_str(), "client:{", tag, "}:", client_id] {
            key.push_str(part);
        }
        key
    }

    pub fn index_of(&self, client_id: &str) -> String {
        self.index(bucket(client_id))
    }

    pub fn index(&self, bucket: usize) -> String {
        format!("{}clients:{{{}}}", self.prefix, TAGS[bucket])
    }

    pub fn server_keys(&self) -> String {
        format!("{}server:jwks", self.prefix)
    }
}

/// FNV-1a: stable across versions and platforms (the bucket is part of the key), and
/// client IDs are random, so no stronger mixing is needed.
pub fn bucket(client_id: &str) -> usize {
    let hash = client_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash % BUCKETS as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::cluster_routing::Slot;

    #[test]
    fn bucket_tags_spread_evenly_over_the_slots() {
        let width = 16384 / BUCKETS as u16;
        for (i, tag) in TAGS.iter().enumerate() {
            let slot = Slot::for_key(format!("x{{{tag}}}"));
            let range = (i as u16 * width)..((i as u16 + 1) * width);
            assert!(range.clone().any(|s| Slot::new(s) == Some(slot)), "{tag}: {slot:?}");
        }
    }

    #[test]
    fn client_keys_keep_their_documented_shape() {
        let layout = Layout::new("registrar:");
        let tag = TAGS[bucket("Zx81")];
        assert_eq!(layout.client("Zx81"), format!("registrar:client:{{{tag}}}:Zx81"));
    }

    #[test]
    fn a_client_shares_its_slot_with_its_index() {
        let layout = Layout::new("registrar:");
        for id in ["a", "Zx81", "0123456789abcdefghijklmnopqrstuv"] {
            let (key, index) = (layout.client(id), layout.index_of(id));
            assert_eq!(Slot::for_key(&key), Slot::for_key(&index), "{key} {index}");
        }
        assert_eq!(
            bucket("0123456789abcdefghijklmnopqrstuv"),
            bucket("0123456789abcdefghijklmnopqrstuv")
        );
        let used: std::collections::HashSet<usize> =
            (0..200).map(|i| bucket(&format!("client-{i}"))).collect();
        assert_eq!(used.len(), BUCKETS, "ids spread over every bucket");
    }
}
