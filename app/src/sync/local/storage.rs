//! Where a device store keeps its keys: the browser's localStorage, or
//! memory (the server build and the tests).

use super::StoreError;
use std::collections::HashMap;

/// Key-value storage: localStorage in the browser, a map in tests.
pub trait Storage {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&mut self, key: &str);
    /// Every key held (to find whose data a device holds).
    fn keys(&self) -> Vec<String>;
}

/// A store may work on borrowed storage (to look into several people's).
impl<T: Storage + ?Sized> Storage for &mut T {
    fn get(&self, key: &str) -> Option<String> {
        (**self).get(key)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        (**self).set(key, value)
    }

    fn remove(&mut self, key: &str) {
        (**self).remove(key);
    }

    fn keys(&self) -> Vec<String> {
        (**self).keys()
    }
}

#[derive(Debug, Default, Clone)]
pub struct MemoryStorage {
    pub items: HashMap<String, String>,
    /// Refuse writes that would pass this many bytes in all (to test a full store).
    pub quota: Option<usize>,
}

impl MemoryStorage {
    /// Characters held, keys and values (what a browser's quota counts).
    pub fn chars(&self) -> usize {
        self.items
            .iter()
            .map(|(k, v)| k.chars().count() + v.chars().count())
            .sum()
    }
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.items.get(key).cloned()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        if let Some(quota) = self.quota {
            let others: usize = self
                .items
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if others + key.len() + value.len() > quota {
                return Err(StoreError::Full);
            }
        }
        self.items.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&mut self, key: &str) {
        self.items.remove(key);
    }

    fn keys(&self) -> Vec<String> {
        self.items.keys().cloned().collect()
    }
}

/// The browser's localStorage through gloo-storage.
#[cfg(feature = "hydrate")]
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserStorage;

#[cfg(feature = "hydrate")]
impl Storage for BrowserStorage {
    fn get(&self, key: &str) -> Option<String> {
        use gloo_storage::Storage as _;
        gloo_storage::LocalStorage::raw()
            .get_item(key)
            .ok()
            .flatten()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        use gloo_storage::Storage as _;
        // The only way setItem fails is a full (or disabled) store.
        gloo_storage::LocalStorage::raw()
            .set_item(key, value)
            .map_err(|_| StoreError::Full)
    }

    fn remove(&mut self, key: &str) {
        use gloo_storage::Storage as _;
        let _ = gloo_storage::LocalStorage::raw().remove_item(key);
    }

    fn keys(&self) -> Vec<String> {
        use gloo_storage::Storage as _;
        let raw = gloo_storage::LocalStorage::raw();
        let count = raw.length().unwrap_or(0);
        (0..count)
            .filter_map(|i| raw.key(i).ok().flatten())
            .collect()
    }
}
