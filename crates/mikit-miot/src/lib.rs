//! MIoT specifications: serde model, URNs, value validation and coercion, name resolution, spec-service client.
