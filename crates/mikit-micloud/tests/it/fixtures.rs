//! Loading the copied fixtures of `tests/data/` (see `tests/data/PROVENANCE.md`).

use serde_json::Value;

pub fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer}"))
}

/// The response bodies of `responses.json` by id.
pub fn response(id: &str) -> Value {
    let all = load("responses.json");
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no response {id}"))
        .clone()
}

mod decoding {
    use super::*;
    use mikit_micloud::account::parse_reply;
    use mikit_micloud::device::{Device, DeviceList, RegionalDevice, merge_by_did};
    use mikit_micloud::envelope::decode_response;
    use mikit_micloud::miot::{ItemStatus, Origin, PropResult, Reason};
    use mikit_micloud::{Error, Region};

    // responses.json "prop_get_ble_unauthorized" (ha0y/xiaomi_miot_raw#408).
    #[test]
    fn ble_prop_get_item_is_unauthorized() {
        let item = response("prop_get_ble_unauthorized");
        let body = item["body"].to_string();
        let result = decode_response("/miotspec/prop/get", 200, body.as_bytes(), None).unwrap();
        let items: Vec<PropResult> = serde_json::from_value(result).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].did, "blt.3.1780ccruoeg00");
        assert_eq!(items[0].value, None);
        match items[0].status() {
            ItemStatus::Cloud(c) => {
                assert_eq!(c.reason, Reason::Unauthorized);
                assert_eq!(c.status, 401);
                assert_eq!(c.origin, Origin::Other(0));
            }
            other => panic!("{other:?}"),
        }
    }

    // responses.json "serviceLoginAuth2_captcha_87001" (tokens-extractor#129), sent with the prefix.
    #[test]
    fn captcha_reply_maps_to_captcha_required() {
        let item = response("serviceLoginAuth2_captcha_87001");
        let wire = format!("{}{}", s(&item, "/raw_prefix"), item["body"]);
        let reply = parse_reply("/pass/serviceLoginAuth2", wire.as_bytes()).unwrap();
        assert_eq!(reply.code(), 87001);
        assert!(reply.credentials().is_none());
        match reply.error() {
            Error::CaptchaRequired { url } => assert_eq!(
                url,
                "https://account.xiaomi.com/pass/getCode?icodeType=login&0.3094213243055923"
            ),
            other => panic!("{other:?}"),
        }
    }

    // responses.json "serviceLoginAuth2_rejected_70016" (extractor#125) and
    // "serviceLogin_not_logged_in_70016" (openHAB#18898).
    #[test]
    fn rejected_replies_map_to_invalid_credentials() {
        for id in [
            "serviceLoginAuth2_rejected_70016",
            "serviceLogin_not_logged_in_70016",
        ] {
            let item = response(id);
            let prefix = item
                .get("raw_prefix")
                .and_then(|p| p.as_str())
                .unwrap_or("");
            let wire = format!("{prefix}{}", item["body"]);
            let reply = parse_reply("/pass/serviceLogin", wire.as_bytes()).unwrap();
            assert_eq!(reply.code(), 70016);
            assert!(reply.credentials().is_none());
            assert!(reply.sign.as_deref().unwrap().starts_with("0psXfr43eN"));
            assert_eq!(
                reply.qs.as_deref(),
                Some("%3Fsid%3Dxiaomiio%26_json%3Dtrue")
            );
            assert_eq!(reply.captcha_url(), None);
            assert!(matches!(reply.error(), Error::InvalidCredentials));
            assert_eq!(reply.describe(), "登录验证失败");
        }
    }

    // micloud_devices_response.json (rytilahti/python-miio miio/tests/fixtures).
    #[test]
    fn device_records_parse_and_round_trip() {
        let raw = load("micloud_devices_response.json");
        let devices: Vec<Device> = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(devices.len(), 3);
        let d = &devices[0];
        assert_eq!(d.did, "1234");
        assert_eq!(d.token.as_ref().unwrap().expose(), "token1");
        assert_eq!(d.model, "some.model.v2");
        assert_eq!(d.is_online, Some(false));
        assert_eq!(d.rssi, Some(-55));
        assert_eq!(d.pid.as_deref(), Some("0"));
        assert_eq!(d.firmware_version(), Some("1.2.3"));
        assert_eq!(d.other["locale"], "de");
        assert_eq!(d.other["prop"]["power"], "off");
        assert_eq!(d.other["method"][0]["name"], "set_power");
        let child = &devices[2];
        assert_eq!(child.did, "lumi.12341234");
        assert!(!child.has_token());
        assert_eq!(child.parent_id.as_deref(), Some("654321"));
        assert_eq!(child.pid.as_deref(), Some("3"));
        // Unknown fields are kept: the records round-trip to the same JSON.
        assert_eq!(serde_json::to_value(&devices).unwrap(), raw);
    }

    #[test]
    fn device_list_envelope_and_merge() {
        let raw = load("micloud_devices_response.json");
        let body = serde_json::json!({"code":0,"message":"ok","result":{"list": raw}}).to_string();
        let result = decode_response("/home/device_list", 200, body.as_bytes(), None).unwrap();
        let list: DeviceList = serde_json::from_value(result).unwrap();
        assert_eq!(list.list.len(), 3);
        let found = list
            .list
            .iter()
            .cloned()
            .map(|device| RegionalDevice {
                region: Region::De,
                device,
            })
            .chain(
                list.list
                    .iter()
                    .take(1)
                    .cloned()
                    .map(|device| RegionalDevice {
                        region: Region::Us,
                        device,
                    }),
            );
        let merged = merge_by_did(found);
        assert_eq!(merged.len(), 3);
        assert!(merged.iter().all(|d| d.region == Region::De));
    }

    #[test]
    fn lenient_numbers_in_records() {
        let d: Device = serde_json::from_str(
            r#"{"did":123456789,"token":"00112233445566778899aabbccddeeff","name":"n","model":"m","isOnline":1,"parent_id":null,"spec_type":"urn:miot-spec-v2:device:light:0000A001:yeelink-x:1","owner":{"userid":99,"nickname":"bob"}}"#,
        )
        .unwrap();
        assert_eq!(d.did, "123456789");
        assert_eq!(d.is_online, Some(true));
        assert_eq!(d.parent_id, None);
        assert_eq!(d.owner.unwrap().userid, "99");
    }
}
