//! What a device can do: its spec (from the spec cache, else the spec service, through
//! [`crate::command::spec::source::Source`]) and the name table that turns
//! `service.property` or `siid.piid` into ids.
//!
//! [`prepare`] is the common start of every command that talks to a device: resolve `DEV`,
//! learn the model if only an address was given (the device is asked with `miIO.info`), and
//! load the spec. Nothing is written to the device before the command has checked its
//! arguments against this spec.

use anyhow::Context as _;
use clap::Args;
use mikit_miot::{Instance, Member, Names, Property};

use mikit_app::device::registry::{self, Device};
use mikit_app::device::{Link, Via};

use super::transport::{self, ViaArg};
use crate::command::miio::TokenArg;
use crate::command::spec::source::{self, Source};
use crate::context::Ctx;

/// Which device, and how to reach it (shared by status, get, set, action and watch).
#[derive(Debug, Args, Clone)]
pub struct Target {
    /// The device: its name (any case; a unique prefix is enough), its did, or its LAN
    /// address (`IP` or `IP:PORT`, with `--token`).
    #[arg(value_name = "DEV")]
    pub dev: String,
    /// How to reach the device: `lan` (miIO with its token), `cloud` (the Mi Home cloud;
    /// needs `mikit cloud login`), or `auto`: the LAN when the device answers within a
    /// second, else the cloud. The choice is shown with `-v` and remembered for ten minutes.
    #[arg(long, value_enum, default_value = "auto", value_name = "HOW")]
    pub via: ViaArg,
    /// The LAN token (32 hex digits) of a device given by address, or of a known device
    /// without a stored token. The environment variable keeps it out of your shell history.
    /// It is never printed.
    #[arg(
        long,
        value_name = "HEX",
        env = "MIKIT_MIIO_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<TokenArg>,
    /// The model of a device given by address (e.g. `zhimi.airpurifier.ma4`); without it the
    /// device is asked.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
}

/// A device's spec and names.
pub struct Profile {
    /// The spec URN.
    pub urn: String,
    /// The spec.
    pub spec: Instance,
    /// Its name table.
    pub names: Names,
}

impl Profile {
    /// Build from a parsed spec.
    pub fn new(urn: String, spec: Instance) -> Self {
        let names = Names::new(&spec);
        Self { urn, spec, names }
    }

    /// `service.property` of `siid.piid` (the numbers when the spec does not name it).
    pub fn property_name(&self, siid: u32, piid: u32) -> String {
        self.names
            .name_of(Member::Property, siid, piid)
            .unwrap_or_else(|| format!("{siid}.{piid}"))
    }

    /// Resolve a property given by name or numbers: its ids and the definition the name
    /// means (in a spec that repeats a piid, two names share ids but not definitions).
    pub fn property(&self, given: &str) -> anyhow::Result<(u32, u32, &Property)> {
        let at = self.names.locate_property(given)?;
        let p = self.spec.property_at(&at).with_context(|| {
            format!(
                "the spec {} has no property {}.{}",
                self.urn, at.siid, at.iid
            )
        })?;
        Ok((at.siid, at.iid, p))
    }

    /// The full name of the property definition `given` means (`None` if it names none).
    pub fn name_of_given(&self, given: &str) -> Option<String> {
        let at = self.names.locate_property(given).ok()?;
        self.names.name_at(Member::Property, &at)
    }

    /// The definition of a reading: the one its full `name` means, else the first at
    /// `siid.piid`.
    pub fn definition(&self, siid: u32, piid: u32, name: &str) -> Option<&Property> {
        self.names
            .locate_property(name)
            .ok()
            .filter(|at| (at.siid, at.iid) == (siid, piid))
            .and_then(|at| self.spec.property_at(&at))
            .or_else(|| self.spec.property(siid, piid))
    }

    /// Every readable property, in spec order.
    pub fn readable(&self) -> Vec<(u32, u32)> {
        self.spec
            .services
            .iter()
            .flat_map(|s| {
                s.properties()
                    .iter()
                    .filter(|p| p.is_readable())
                    .map(move |p| (s.iid, p.iid))
            })
            .collect()
    }
}

/// The spec of `device`: by its URN, else by its model through the cached instances list.
pub async fn load(source: &mut Source, device: &Device) -> anyhow::Result<Profile> {
    let urn = match (&device.urn, &device.model) {
        (Some(urn), _) => urn.clone(),
        (None, Some(model)) => {
            source
                .resolve(model)
                .await
                .with_context(|| format!("finding the spec of the model {model}"))?
                .1
        }
        (None, None) => anyhow::bail!(
            "the model of {:?} is unknown; give --model MODEL",
            device.name
        ),
    };
    let bytes = source.spec(&urn).await?;
    let spec = Instance::from_slice(&bytes)
        .with_context(|| format!("the cached spec {urn} does not parse"))?;
    Ok(Profile::new(urn, spec))
}

/// A resolved device, its spec, and the link if one had to be opened to learn the model.
pub struct Prepared {
    /// The device.
    pub device: Device,
    /// Its spec.
    pub profile: Profile,
    /// Already open when the device was asked for its model.
    pub link: Option<Link>,
}

impl Prepared {
    /// The open link, or a new one.
    pub async fn link(&mut self, ctx: &Ctx, target: &Target) -> anyhow::Result<Link> {
        match self.link.take() {
            Some(l) => Ok(l),
            None => {
                transport::open(ctx, &self.device, target.via.into(), target.token.as_ref()).await
            }
        }
    }
}

/// Resolve `target.dev`, learn its model if needed, and load its spec.
pub async fn prepare(ctx: &Ctx, target: &Target) -> anyhow::Result<Prepared> {
    let mut source = source::open(ctx, false)?;
    let mut device = registry::resolve(source.store(), &target.dev)?;
    if device.model.is_none() {
        device.model.clone_from(&target.model);
    }
    let mut link = None;
    if device.model.is_none() && device.urn.is_none() {
        if target.via == ViaArg::Cloud {
            anyhow::bail!(
                "the model of {:?} is unknown; give --model MODEL",
                device.name
            );
        }
        let mut l = transport::open(ctx, &device, Via::Lan, target.token.as_ref()).await?;
        let info = l.info().await?;
        device.model = Some(info.model);
        if device.did.is_none() {
            device.did = l.lan_did();
        }
        link = Some(l);
    }
    let profile = load(&mut source, &device).await?;
    Ok(Prepared {
        device,
        profile,
        link,
    })
}
