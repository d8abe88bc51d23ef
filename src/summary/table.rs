//! A map with a cap on its number of entries.
//!
//! The summary looks several of these up for every packet, so lookups go through a hash index
//! (foldhash, seeded per process) into a vector of entries; the key order the reports iterate in
//! is sorted once when first asked for and kept until the map changes. Until 2026-12 this was a
//! `BTreeMap`, whose searches were a third of `vxdump --summary`'s time.

use core::cell::OnceCell;
use core::hash::Hash;
use std::collections::HashMap;
use std::vec::Vec;

type Index<K> = HashMap<K, usize, foldhash::fast::RandomState>;

/// A map that holds at most `cap` entries; keys that arrive when it is full are not stored but
/// counted ([`Capped::dropped`]). Iteration is in key order, so output is stable.
///
/// The [`Summary`](super::Summary)'s tables are `Capped` maps it fills itself; a user reads them
/// (`get`, `contains_key`, `iter`, `len`, `dropped`, `cap`), so the filling methods are the
/// crate's own.
#[derive(Clone, Debug)]
pub struct Capped<K, V> {
    entries: Vec<(K, V)>,
    index: Index<K>,
    /// Positions in `entries` in key order, made by the first iteration after a change.
    order: OnceCell<Vec<usize>>,
    cap: usize,
    dropped: u64,
}

impl<K, V> Capped<K, V> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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

impl<K: Ord + Hash + Clone, V> Capped<K, V> {
    /// An empty map holding at most `cap` entries.
    pub(crate) fn new(cap: usize) -> Capped<K, V> {
        Capped { entries: Vec::new(), index: Index::default(), order: OnceCell::new(), cap, dropped: 0 }
    }

    /// The entry for `key`, created with `make` if absent and there is room; `None` (and one more
    /// dropped key) if the map is full.
    #[inline]
    pub(crate) fn entry_with(&mut self, key: K, make: impl FnOnce() -> V) -> Option<&mut V> {
        if let Some(&i) = self.index.get(&key) {
            return Some(&mut self.entries[i].1);
        }
        if self.entries.len() >= self.cap {
            self.dropped += 1;
            return None;
        }
        let i = self.entries.len();
        self.index.insert(key.clone(), i);
        self.entries.push((key, make()));
        self.order.take();
        self.entries.last_mut().map(|e| &mut e.1)
    }

    /// The value for `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    /// The value for `key`, mutable.
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.index.get(key).map(|&i| &mut self.entries[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &K) -> bool {
        self.index.contains_key(key)
    }

    /// Removes `key`, returning its value.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.index.remove(key)?;
        let (_, v) = self.entries.swap_remove(i);
        if let Some((moved, _)) = self.entries.get(i) {
            if let Some(at) = self.index.get_mut(moved) {
                *at = i;
            }
        }
        self.order.take();
        Some(v)
    }

    /// Keeps only the entries for which `keep` is true.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|(k, v)| keep(k, v));
        if self.entries.len() != before {
            self.reindex();
        }
    }

    fn reindex(&mut self) {
        self.index.clear();
        for (i, (k, _)) in self.entries.iter().enumerate() {
            self.index.insert(k.clone(), i);
        }
        self.order.take();
    }

    /// The entries in key order, values mutable.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> + '_ {
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.reindex();
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The entries in key order.
    pub fn iter(&self) -> CappedIter<'_, K, V> {
        let order = self.order.get_or_init(|| {
            let mut o: Vec<usize> = (0..self.entries.len()).collect();
            o.sort_by(|&a, &b| self.entries[a].0.cmp(&self.entries[b].0));
            o
        });
        CappedIter { order: order.iter(), entries: &self.entries }
    }
}

impl<K: Ord + Hash + Clone, V: Default> Capped<K, V> {
    /// The entry for `key`, created with `V::default()` if absent and there is room.
    #[inline]
    pub(crate) fn entry(&mut self, key: K) -> Option<&mut V> {
        self.entry_with(key, V::default)
    }
}

impl<K: Ord + Hash + Clone, V: PartialEq> PartialEq for Capped<K, V> {
    fn eq(&self, other: &Self) -> bool {
        (self.cap, self.dropped, self.len()) == (other.cap, other.dropped, other.len())
            && self.entries.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Ord + Hash + Clone, V: Eq> Eq for Capped<K, V> {}

/// The entries of a [`Capped`] in key order.
#[derive(Clone, Debug)]
pub struct CappedIter<'a, K, V> {
    order: core::slice::Iter<'a, usize>,
    entries: &'a [(K, V)],
}

impl<'a, K, V> Iterator for CappedIter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.order.next().map(|&i| (&self.entries[i].0, &self.entries[i].1))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for CappedIter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.order.next_back().map(|&i| (&self.entries[i].0, &self.entries[i].1))
    }
}

impl<K, V> ExactSizeIterator for CappedIter<'_, K, V> {}

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

    #[test]
    fn iterates_in_key_order_after_inserts_and_removals() {
        let mut m: Capped<u32, u32> = Capped::new(100);
        for k in [50, 7, 93, 1, 64, 22] {
            *m.entry(k).unwrap() = k * 10;
        }
        assert_eq!(m.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [1, 7, 22, 50, 64, 93]);
        assert_eq!(m.remove(&7), Some(70));
        assert_eq!(m.remove(&7), None);
        *m.entry(30).unwrap() = 300;
        assert_eq!(
            m.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [(1, 10), (22, 220), (30, 300), (50, 500), (64, 640), (93, 930)]
        );
        m.retain(|k, _| k % 2 == 0);
        assert_eq!(m.iter().rev().map(|(k, _)| *k).collect::<Vec<_>>(), [64, 50, 30, 22]);
        for (_, v) in m.iter_mut() {
            *v += 1;
        }
        assert_eq!((m.get(&22), m.get(&93), m.len()), (Some(&221), None, 4));
        assert!(m.contains_key(&64) && !m.contains_key(&1));
    }
}
