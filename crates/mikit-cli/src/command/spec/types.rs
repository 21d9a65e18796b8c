//! `mikit spec types KIND [TYPE]`

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use mikit_miot::{TypeCatalog, TypeDefinition, TypeKind, Urn};
use serde_json::Value;

use super::source;
use crate::context::Ctx;

fn parse_kind(s: &str) -> Result<TypeKind, String> {
    TypeKind::parse(s).ok_or_else(|| {
        format!("{s:?} is not a kind; use device, service, property, action or event (singular or plural)")
    })
}

/// Arguments of `mikit spec types`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// The kind: device, service, property, action or event (plural works too).
    #[arg(value_name = "KIND", value_parser = parse_kind)]
    pub kind: TypeKind,
    /// Show the definition of this type instead of the list: a standard type URN
    /// (`urn:miot-spec-v2:property:on:00000006`) or its name (`on`).
    #[arg(value_name = "TYPE")]
    pub type_: Option<String>,
    /// Never ask the spec service: use only what is cached, even if it is old.
    #[arg(long)]
    pub offline: bool,
}

/// Run `mikit spec types`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut source = source::open(ctx, cmd.offline)?;
    let kind = cmd.kind;
    let body = source
        .document(
            &format!("types:{}", kind.plural()),
            &format!("the {kind} catalog"),
            move |c| async move {
                let cat = c.types(kind).await?;
                // The parsed catalog serialises to a JSON value equal to the served one.
                serde_json::to_vec(&cat).map_err(|e| mikit_miot::Error::Json {
                    what: "type catalog",
                    reason: e.to_string(),
                })
            },
        )
        .await?;
    let catalog: TypeCatalog =
        serde_json::from_slice(&body).context("reading the cached type catalog")?;
    let Some(wanted) = cmd.type_ else {
        return print_list(ctx, kind, &catalog);
    };
    let urn = if wanted.starts_with("urn:") {
        wanted.clone()
    } else {
        let matches: Vec<&String> = catalog
            .types
            .iter()
            .filter(|t| Urn::parse(t).is_ok_and(|u| u.name() == wanted))
            .collect();
        match matches.as_slice() {
            [one] => (*one).clone(),
            [] => anyhow::bail!(
                "no standard {kind} type is named {wanted:?}; see `mikit spec types {}`",
                kind.plural()
            ),
            many => anyhow::bail!(
                "several {kind} types are named {wanted:?}: {}",
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    };
    let u = urn.clone();
    let body = source
        .document(
            &format!("type:{}:{urn}", kind.singular()),
            &format!("the {kind} type {urn}"),
            move |c| {
                let u = u.clone();
                async move {
                    let def = c.type_definition(kind, &u).await?;
                    serde_json::to_vec(&def).map_err(|e| mikit_miot::Error::Json {
                        what: "type definition",
                        reason: e.to_string(),
                    })
                }
            },
        )
        .await?;
    let def: TypeDefinition =
        serde_json::from_slice(&body).context("reading the cached type definition")?;
    if ctx.out.json {
        ctx.out.json_line(&serde_json::to_value(&def)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.out.line(&def.type_)?;
    for (k, v) in &def.fields {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Array(a) if a.iter().all(Value::is_string) => {
                let items: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                if items.is_empty() {
                    "-".to_owned()
                } else if items.iter().any(|i| i.starts_with("urn:")) {
                    // URN lists (required-services, in, arguments…): one per line.
                    format!("\n    {}", items.join("\n    "))
                } else {
                    items.join(", ")
                }
            }
            other => other.to_string(),
        };
        let sep = if text.starts_with('\n') { "" } else { " " };
        ctx.out.line(&format!("  {k}:{sep}{text}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_list(ctx: &Ctx, kind: TypeKind, catalog: &TypeCatalog) -> anyhow::Result<ExitCode> {
    if ctx.out.json {
        for t in &catalog.types {
            let u = Urn::parse(t).ok();
            ctx.out.json_line(&serde_json::json!({
                "type": t,
                "name": u.as_ref().map(|u| u.name()),
                "value": u.as_ref().map(|u| u.value()),
            }))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = catalog
        .types
        .iter()
        .map(|t| match Urn::parse(t) {
            Ok(u) => vec![u.name().to_owned(), u.value().to_owned(), t.clone()],
            Err(_) => vec!["?".into(), "?".into(), t.clone()],
        })
        .collect();
    ctx.out.table(&["NAME", "VALUE", "TYPE"], &rows)?;
    ctx.out
        .line(&format!("{} standard {} types", rows.len(), kind))?;
    Ok(ExitCode::SUCCESS)
}
