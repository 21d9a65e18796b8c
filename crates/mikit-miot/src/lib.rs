//! # mikit-miot
//!
//! MIoT specifications: what every Xiaomi device model can do, as published by the public
//! spec service (`miot-spec.org`). This crate holds the serde model of the instances list
//! and of device specs (round-trips every real spec to an equal JSON value), the URN
//! grammar, validation and coercion of property values, human names
//! (`service.property`), model → URN selection, translations, and an async client of the
//! spec service. Protocol notes: `reference/miot-spec.md` of the project.
//!
//! ```
//! use mikit_miot::{Instance, Names, Urn};
//!
//! let spec = Instance::from_json(r#"{"type":"urn:miot-spec-v2:device:outlet:0000A002:acme-p1:1",
//!   "description":"Outlet","services":[{"iid":2,"type":"urn:miot-spec-v2:service:switch:0000780C:acme-p1:1",
//!   "description":"Switch","properties":[{"iid":1,"type":"urn:miot-spec-v2:property:on:00000006:acme-p1:1",
//!   "description":"Switch Status","format":"bool","access":["read","write","notify"]}]}]}"#)?;
//! let urn: Urn = spec.type_.parse()?;
//! assert_eq!(urn.vendor_product(), Some("acme-p1"));
//!
//! let names = Names::new(&spec);
//! let (siid, piid) = names.resolve_property("switch.on")?;
//! let prop = spec.property(siid, piid).unwrap();
//! assert_eq!(prop.coerce_text("off")?, serde_json::json!(false));
//! # Ok::<(), mikit_miot::Error>(())
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `spec` | [`Instance`], [`Service`], [`Property`], [`Action`], [`Event`], [`Format`], [`Access`], [`Unit`], [`ValueRange`], [`ValueListItem`], [`IidList`] |
//! | `instances` | [`InstanceList`], [`InstanceEntry`], [`Status`] |
//! | `item` | the items a device is asked for and answers with, on the LAN and through the cloud alike: [`item::PropRead`], [`item::PropWrite`], [`item::ActionCall`], [`item::PropResult`], [`item::ActionResult`] |
//! | `urn` | [`Urn`], [`UrnKind`] |
//! | `value` | coercion/validation on [`Property`] (`coerce_text`, `coerce_json`, `validate`, `decode`, `require_readable`/`require_writable`) and of action arguments on [`Service`] (`coerce_action_in`, `validate_action_in`); [`Decoded`] |
//! | `names` | [`Names`], [`Member`], [`Location`]: `service.property` ↔ `siid.piid` |
//! | `select` | model → URN rules ([`Rule`], [`ModelIndex`]) |
//! | `lang` | [`Translations`], [`LangKey`] (multiLanguage payload) |
//! | `check` | structural checks of a spec: [`Instance::problems`], [`Problem`], [`Severity`] |
//! | `catalog` | [`TypeCatalog`], [`TypeDefinition`], [`TypeKind`] |
//! | `client` | [`SpecClient`] over `mikit_core::http::Http` |
//! | `error` | [`Error`] |

pub mod catalog;
pub mod check;
pub mod client;
pub mod error;
pub mod instances;
pub mod item;
pub mod lang;
pub mod names;
pub mod select;
pub mod spec;
pub mod urn;
pub mod value;

pub use catalog::{TypeCatalog, TypeDefinition, TypeKind};
pub use check::{Problem, Severity};
pub use client::SpecClient;
pub use error::Error;
pub use instances::{InstanceEntry, InstanceList, Status};
pub use lang::{LangKey, Translations};
pub use names::{Location, Member, Names};
pub use select::{ModelIndex, Rule};
pub use spec::{
    Access, AccessWord, Action, Event, Format, IidList, Instance, Property, Service, Unit,
    ValueListItem, ValueRange,
};
pub use urn::{Urn, UrnKind};
pub use value::Decoded;
