//! Deterministic runs (`--seed N`, or `"seed"` at project creation): every random value the
//! emulator makes for a seeded project (IDs, codes, link tokens, TOTP secrets, signing keys,
//! `jti`s) comes from a generator seeded with SHA-256(seed, project ID), in the order the
//! project's calls ask for them. Without a seed, the operating system's generator.
//!
//! The request edge ([`crate::http::observe`]) runs each request of a seeded project inside
//! [`Seeds::scope`], so [`with_rng`] (behind [`crate::crypto::random_alnum`] and friends)
//! finds the project's generator without it being passed down. Work moved to other tasks or
//! threads falls back to the OS generator.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// One project's generator.
pub type SharedRng = Arc<Mutex<StdRng>>;

tokio::task_local! {
    static CURRENT: SharedRng;
}

/// Runs `f` with the generator of the request's project when it is seeded, else the thread's
/// OS-seeded one.
pub fn with_rng<T>(f: impl FnOnce(&mut dyn RngCore) -> T) -> T {
    match CURRENT.try_with(Arc::clone) {
        Ok(rng) => {
            let mut guard = rng.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut *guard)
        }
        Err(_) => f(&mut rand::thread_rng()),
    }
}

/// Seeds: the process's (`--seed`) and those given at project creation; and the generators
/// of the seeded projects. Cheap to clone.
#[derive(Clone, Default)]
pub struct Seeds {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    global: RwLock<Option<u64>>,
    /// Seeds given at project creation (they win over the global one).
    projects: RwLock<HashMap<String, u64>>,
    rngs: Mutex<HashMap<String, SharedRng>>,
    /// With a global seed: the generator of new project IDs and keys, in creation order.
    process: Mutex<Option<StdRng>>,
}

fn derive(seed: u64, project_id: &str) -> StdRng {
    let input = format!("descope-emulator:{seed}:{project_id}");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(digest.as_ref());
    StdRng::from_seed(bytes)
}

impl Seeds {
    /// Sets the process-wide seed (`--seed`).
    pub fn set_global(&self, seed: Option<u64>) {
        *self.inner.global.write().unwrap_or_else(|e| e.into_inner()) = seed;
        *self.inner.process.lock().unwrap_or_else(|e| e.into_inner()) = seed.map(|s| derive(s, ""));
    }

    pub fn global(&self) -> Option<u64> {
        *self.inner.global.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes one project deterministic with its own seed.
    pub fn set_project(&self, project_id: &str, seed: u64) {
        self.inner.projects.write().unwrap_or_else(|e| e.into_inner()).insert(project_id.to_owned(), seed);
        self.inner.rngs.lock().unwrap_or_else(|e| e.into_inner()).remove(project_id);
    }

    /// The seed of a project, if it has one (its own, else the global one).
    pub fn seed_of(&self, project_id: &str) -> Option<u64> {
        let own = self.inner.projects.read().unwrap_or_else(|e| e.into_inner()).get(project_id).copied();
        own.or_else(|| self.global())
    }

    /// The generator of a seeded project (`None` when it has no seed).
    pub fn rng_of(&self, project_id: &str) -> Option<SharedRng> {
        let seed = self.seed_of(project_id)?;
        let mut rngs = self.inner.rngs.lock().unwrap_or_else(|e| e.into_inner());
        Some(
            rngs.entry(project_id.to_owned())
                .or_insert_with(|| Arc::new(Mutex::new(derive(seed, project_id))))
                .clone(),
        )
    }

    /// Restarts a project's sequence (project reset), or forgets its seed too (delete).
    pub fn restart(&self, project_id: &str, forget_seed: bool) {
        self.inner.rngs.lock().unwrap_or_else(|e| e.into_inner()).remove(project_id);
        if forget_seed {
            self.inner.projects.write().unwrap_or_else(|e| e.into_inner()).remove(project_id);
        }
    }

    /// Runs `fut` with the project's generator as the current one, when it is seeded.
    pub async fn scope<F: std::future::Future>(&self, project_id: &str, fut: F) -> F::Output {
        match self.rng_of(project_id) {
            Some(rng) => CURRENT.scope(rng, fut).await,
            None => fut.await,
        }
    }

    /// 32 bytes from the process generator (a global seed: new project IDs in creation order),
    /// or `None` without a global seed.
    pub fn process_seed_bytes(&self) -> Option<[u8; 32]> {
        let mut process = self.inner.process.lock().unwrap_or_else(|e| e.into_inner());
        let rng = process.as_mut()?;
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Some(bytes)
    }

    /// Runs `f` with the process generator as the current one (when seeded).
    pub fn with_process_rng<T>(&self, f: impl FnOnce() -> T) -> T {
        match self.process_seed_bytes() {
            Some(bytes) => {
                let rng: SharedRng = Arc::new(Mutex::new(StdRng::from_seed(bytes)));
                CURRENT.sync_scope(rng, f)
            }
            None => f(),
        }
    }

    /// Runs `f` with the project's generator as the current one (when seeded).
    pub fn with_project_rng<T>(&self, project_id: &str, f: impl FnOnce() -> T) -> T {
        match self.rng_of(project_id) {
            Some(rng) => CURRENT.sync_scope(rng, f),
            None => f(),
        }
    }
}

/// A new RSA-2048 signing key (PKCS#8 DER) from a seed: the same seed, the same key.
pub fn rsa_pkcs8_from_seed(seed: [u8; 32]) -> anyhow::Result<Vec<u8>> {
    use rsa::pkcs8::EncodePrivateKey;
    let mut rng = StdRng::from_seed(seed);
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048)?;
    Ok(key.to_pkcs8_der()?.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_project_repeats_its_sequence() {
        let seeds = Seeds::default();
        seeds.set_project("P2a", 7);
        let a = seeds.with_project_rng("P2a", || crate::crypto::random_alnum(20));
        seeds.restart("P2a", false);
        let b = seeds.with_project_rng("P2a", || crate::crypto::random_alnum(20));
        assert_eq!(a, b);
        seeds.set_project("P2b", 7);
        let c = seeds.with_project_rng("P2b", || crate::crypto::random_alnum(20));
        assert_ne!(a, c, "the project ID is part of the seed");
        let d = seeds.with_project_rng("P2none", || crate::crypto::random_alnum(20));
        let e = seeds.with_project_rng("P2none", || crate::crypto::random_alnum(20));
        assert_ne!(d, e, "unseeded projects use the OS generator");
    }
}
