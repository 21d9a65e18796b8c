//! `mikit spec search TEXT`

use std::collections::HashMap;
use std::process::ExitCode;

use clap::Args;
use mikit_miot::{InstanceList, Urn};
use mikit_store::CatalogEntry;

use super::source;
use crate::context::Ctx;

/// Arguments of `mikit spec search`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// What to look for: a model (`zhimi.airpurifier.ma4`), part of one (`airpurifier`), a
    /// device type (`air purifier`) or words of a spec description (cached specs only).
    #[arg(value_name = "TEXT")]
    pub text: String,
    /// Show at most this many models.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Never ask the spec service: search only the cached instances list, even if old.
    #[arg(long)]
    pub offline: bool,
}

/// How well an entry matches, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rank {
    /// Some words of the query occur in the spec's description.
    Description,
    /// Every word of the query is a word of the device type (`air purifier` → `air-purifier`).
    TypeWords,
    /// The query occurs inside the model.
    ModelContains,
    /// The query is one dot-separated part of the model (`ma4`, `airpurifier`).
    ModelPart,
    /// The model starts with the query.
    ModelPrefix,
    /// The model is the query.
    ExactModel,
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The rank of `c` for the query (`q` lowercase, `qwords` its words), if it matches.
pub fn rank(c: &CatalogEntry, q: &str, qwords: &[String]) -> Option<Rank> {
    let model = c.entry.model.to_lowercase();
    if model == q {
        return Some(Rank::ExactModel);
    }
    if model.starts_with(q) {
        return Some(Rank::ModelPrefix);
    }
    if model.split('.').any(|p| p == q) {
        return Some(Rank::ModelPart);
    }
    if model.contains(q) {
        return Some(Rank::ModelContains);
    }
    if qwords.is_empty() {
        return None;
    }
    if let Ok(u) = Urn::parse(&c.entry.type_) {
        let tw = words(u.name());
        if qwords.iter().all(|w| tw.contains(w)) {
            return Some(Rank::TypeWords);
        }
    }
    if let Some(d) = &c.description {
        let dw = words(d);
        if qwords.iter().all(|w| dw.contains(w)) {
            return Some(Rank::Description);
        }
    }
    None
}

/// One search hit: a model with the entry mikit's rule selects for it.
#[derive(Debug, serde::Serialize)]
pub struct Hit {
    /// The model.
    pub model: String,
    /// The selected device URN.
    pub urn: String,
    /// Its status (`released`, `debug`, `preview`; absent when the list has none).
    pub status: Option<String>,
    /// Its version.
    pub version: u32,
    /// The device type name (`air-purifier`).
    #[serde(rename = "type")]
    pub type_: String,
    /// The spec's description when the spec is cached.
    pub description: Option<String>,
    /// How it matched.
    pub rank: Rank,
}

/// Rank the catalog for `text`: one hit per model, best rank first, then released models,
/// then by model name.
pub fn search(catalog: &[CatalogEntry], text: &str) -> Vec<Hit> {
    let q = text.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let qwords = words(&q);
    let mut best: HashMap<&str, Rank> = HashMap::new();
    for c in catalog {
        if let Some(r) = rank(c, &q, &qwords) {
            let slot = best.entry(c.entry.model.as_str()).or_insert(r);
            *slot = (*slot).max(r);
        }
    }
    if best.is_empty() {
        return Vec::new();
    }
    // Select one entry per matched model with mikit's rule (released first, then version).
    let matched = InstanceList {
        instances: catalog
            .iter()
            .filter(|c| best.contains_key(c.entry.model.as_str()))
            .map(|c| c.entry.clone())
            .collect(),
        extra: Default::default(),
    };
    let descriptions: HashMap<&str, &str> = catalog
        .iter()
        .filter_map(|c| Some((c.entry.type_.as_str(), c.description.as_deref()?)))
        .collect();
    let index = matched.index();
    let mut hits: Vec<Hit> = best
        .iter()
        .filter_map(|(model, rank)| {
            let e = index.select(model).ok()?;
            Some(Hit {
                model: (*model).to_owned(),
                urn: e.type_.clone(),
                status: e.status.as_ref().map(|s| s.as_str().to_owned()),
                version: e.version,
                type_: Urn::parse(&e.type_)
                    .map(|u| u.name().to_owned())
                    .unwrap_or_default(),
                description: descriptions.get(e.type_.as_str()).map(|d| (*d).to_owned()),
                rank: *rank,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.rank
            .cmp(&a.rank)
            .then_with(|| {
                let released = |h: &Hit| h.status.as_deref().is_none_or(|s| s == "released");
                released(b).cmp(&released(a))
            })
            .then_with(|| a.model.cmp(&b.model))
    });
    hits
}

/// Run `mikit spec search`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut source = source::open(ctx, cmd.offline)?;
    let key = source.lookup_list().await?;
    let catalog = source.store().spec_catalog(&key)?;
    let mut hits = search(&catalog, &cmd.text);
    let total = hits.len();
    hits.truncate(cmd.limit);
    if ctx.out.json {
        for h in &hits {
            ctx.out.json_line(&serde_json::to_value(h)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if hits.is_empty() {
        ctx.out.line(&format!("No model matches {:?}.", cmd.text))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = hits
        .iter()
        .map(|h| {
            vec![
                h.model.clone(),
                h.type_.clone(),
                format!("v{}", h.version),
                h.status.clone().unwrap_or_else(|| "-".into()),
                h.description.clone().unwrap_or_default(),
            ]
        })
        .collect();
    ctx.out.table(
        &["MODEL", "TYPE", "VERSION", "STATUS", "DESCRIPTION"],
        &rows,
    )?;
    if total > hits.len() {
        ctx.out.line(&format!(
            "({} of {total} matching models shown; use --limit to see more)",
            hits.len()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mikit_miot::{InstanceEntry, Status};

    fn c(
        model: &str,
        status: Option<Status>,
        version: u32,
        urn: &str,
        d: Option<&str>,
    ) -> CatalogEntry {
        CatalogEntry {
            entry: InstanceEntry {
                status,
                model: model.into(),
                version,
                type_: urn.into(),
                ts: None,
                extra: Default::default(),
            },
            description: d.map(str::to_owned),
        }
    }

    #[test]
    fn ranks_exact_prefix_part_type_description() {
        let cat = vec![
            c(
                "zhimi.airpurifier.ma4",
                Some(Status::Released),
                1,
                "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:1",
                None,
            ),
            c(
                "zhimi.airpurifier.ma4",
                Some(Status::Released),
                2,
                "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:2",
                Some("Mi Air Purifier 3"),
            ),
            c(
                "zhimi.airpurifier.ma4",
                Some(Status::Debug),
                3,
                "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:3",
                None,
            ),
            c(
                "zhimi.airpurifier.ma4x",
                Some(Status::Debug),
                1,
                "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4x:1",
                None,
            ),
            c(
                "zhimi.heater.ma4",
                Some(Status::Released),
                1,
                "urn:miot-spec-v2:device:heater:0000A01A:zhimi-ma4:1",
                None,
            ),
            c(
                "acme.fan.p1",
                Some(Status::Released),
                1,
                "urn:miot-spec-v2:device:fan:0000A005:acme-p1:1",
                Some("Quiet Purifier Fan"),
            ),
        ];
        let hits = search(&cat, "zhimi.airpurifier.ma4");
        let got: Vec<(&str, Rank)> = hits.iter().map(|h| (h.model.as_str(), h.rank)).collect();
        assert_eq!(
            got,
            [
                ("zhimi.airpurifier.ma4", Rank::ExactModel),
                ("zhimi.airpurifier.ma4x", Rank::ModelPrefix)
            ]
        );
        // MS4: released v2 over debug v3.
        assert_eq!(hits[0].version, 2);
        assert_eq!(hits[0].description.as_deref(), Some("Mi Air Purifier 3"));
        let hits = search(&cat, "ma4");
        assert_eq!(hits[0].rank, Rank::ModelPart);
        assert_eq!(hits.last().unwrap().model, "zhimi.airpurifier.ma4x");
        let hits = search(&cat, "Air Purifier");
        let got: Vec<(&str, Rank)> = hits.iter().map(|h| (h.model.as_str(), h.rank)).collect();
        assert_eq!(
            got,
            [
                ("zhimi.airpurifier.ma4", Rank::TypeWords),
                ("zhimi.airpurifier.ma4x", Rank::TypeWords)
            ]
        );
        let hits = search(&cat, "purifier fan");
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].model.as_str(), hits[0].rank),
            ("acme.fan.p1", Rank::Description)
        );
        assert!(search(&cat, "nothing-like-this").is_empty());
        assert!(search(&cat, "  ").is_empty());
    }
}
