//! A map with a cap on its number of entries.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// An ordered map that holds at most `cap` entries; keys that arrive when it is full are not
/// stored but counted ([`Capped::dropped`]). Iteration is in key order, so output is stable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capped<K: Ord, V> {
    map: BTreeMap<K, V>,
    cap: usize,
    dropped: u64,
}

impl<K: Ord, V> Capped<K, V> {
    /// An empty map holding at most `cap` entries.
    pub fn new(cap: usize) -> Capped<K, V> {
        Capped { map: BTreeMap::new(), cap, dropped: 0 }
    }

    /// The entry for `key`, created with `make` if absent and there is room; `None` (and one more
    /// dropped key) if the map is full.
    pub fn entry_with(&mut self, key: K, make: impl FnOnce() -> V) -> Option<&mut V> {
        let full = self.map.len() >= self.cap;
        match self.map.entry(key) {
            Entry::Occupied(o) => Some(o.into_mut()),
            Entry::Vacant(_) if full => {
                self.dropped += 1;
                None
            }
            Entry::Vacant(v) => Some(v.insert(make())),
        }
    }

    /// The value for `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    /// The value for `key`, mutable.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key)
    }

    /// Keeps only the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.map.retain(|k, v| keep(k, v));
    }

    /// The entries in key order, values mutable.
    pub fn iter_mut(&mut self) -> std::collections::btree_map::IterMut<'_, K, V> {
        self.map.iter_mut()
    }

    /// The entries in key order.
    pub fn iter(&self) -> std::collections::btree_map::Iter<'_, K, V> {
        self.map.iter()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Keys not stored because the map was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The most entries it holds.
    pub fn cap(&self) -> usize {
        self.cap
    }
}

impl<K: Ord, V: Default> Capped<K, V> {
    /// The entry for `key`, created with `V::default()` if absent and there is room.
    pub fn entry(&mut self, key: K) -> Option<&mut V> {
        self.entry_with(key, V::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_counts_dropped_keys() {
        let mut m: Capped<u32, u32> = Capped::new(2);
        *m.entry(1).unwrap() += 1;
        *m.entry(2).unwrap() += 1;
        *m.entry(1).unwrap() += 1;
        assert!(m.entry(3).is_none());
        assert!(m.entry(4).is_none());
        assert_eq!((m.len(), m.dropped(), m.get(&1), m.get(&3)), (2, 2, Some(&2), None));
    }
}
