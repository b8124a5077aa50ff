//! Config keys ↔ TR-069 parameters for every key of the registry, both ways:
//! each key with a parameter comes back as itself, each key without one is
//! reported with the reason the registry gives, and the list parameter that
//! two keys share (`dns1`, `dns2` ↔ `Device.LAN.DNSServers`) splits and joins.

use cwmpkit_core::provision::mapping::{Parameter, from_parameters, to_parameters};
use cwmpkit_core::provision::registry::{KeySpec, KeyType};
use cwmpkit_core::provision::{ConfigFile, Registry, parse};

/// A value the key's type accepts.
fn sample(spec: &KeySpec) -> String {
    match spec.key_type {
        KeyType::Boolean => "1".into(),
        KeyType::Integer | KeyType::Numeric => spec.min.unwrap_or(1).max(1).to_string(),
        KeyType::Url => "https://acs.example.net:7547/cwmp".into(),
        KeyType::FileUrl => "ftp://admin:admin@10.0.0.5/certs/trusted.pem".into(),
        KeyType::Datetime => "2026-01-02T03:04:05".into(),
        KeyType::Host => "10.0.0.1".into(),
        KeyType::String => "Reception".into(),
    }
}

fn file_with(key: &str, value: &str) -> ConfigFile {
    let mut file = ConfigFile::new();
    file.set(key, value).unwrap();
    file
}

#[test]
fn every_key_with_a_parameter_round_trips() {
    let registry = Registry::builtin();
    let mut mapped = 0;
    for spec in registry.specs().iter().filter(|s| s.tr069.is_some()) {
        let value = sample(spec);
        let mut file = ConfigFile::new();
        // An item of a list parameter needs the items before it (tested below).
        for earlier in registry.list_keys(spec.tr069.as_deref().unwrap()) {
            if earlier.tr069_list_position < spec.tr069_list_position {
                file.set(&earlier.key, "192.0.2.1").unwrap();
            }
        }
        file.set(&spec.key, &value).unwrap();
        let there = to_parameters(&file, registry);
        assert!(there.unmapped.is_empty(), "{}: {:?}", spec.key, there.unmapped);
        let paths: Vec<&str> = there.parameters.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, [spec.tr069.as_deref().unwrap()], "{}", spec.key);

        let back = from_parameters(&there.parameters, registry);
        assert!(back.unmapped.is_empty(), "{}: {:?}", spec.key, back.unmapped);
        assert_eq!(back.file.get(&spec.key), Some(value.as_str()), "{}", spec.key);
        mapped += 1;
    }
    // 8 tr69 keys, default gateway, dns1, dns2, and 13 SIP settings × (global + 9 lines).
    assert_eq!(mapped, 8 + 3 + 13 * 10);
}

#[test]
fn every_key_without_a_parameter_says_why() {
    let registry = Registry::builtin();
    let mut unmapped = Vec::new();
    for spec in registry.specs().iter().filter(|s| s.tr069.is_none()) {
        let out = to_parameters(&file_with(&spec.key, &sample(spec)), registry);
        assert!(out.parameters.is_empty(), "{}", spec.key);
        let [only] = &out.unmapped[..] else { panic!("{}: {:?}", spec.key, out.unmapped) };
        assert_eq!(only.name, spec.key);
        assert_eq!(only.line, 1);
        assert_ne!(
            only.reason, "the phone exposes no TR-069 parameter for this key",
            "{}",
            spec.key
        );
        if spec.key.starts_with("sip line") && !spec.key.starts_with("sip line1 ") {
            continue;
        }
        unmapped.push(spec.key.as_str());
    }
    assert_eq!(
        unmapped,
        [
            "tr69 server port",
            "tr69 connection request path",
            "tr69 connection request port",
            "tr69 trusted certificates",
            "tr69 private key",
            "tr69 server authentication required",
            "admin password",
            "user password",
            "dhcp",
            "ip",
            "subnet mask",
            "time server1",
            "time server disabled",
            "download protocol",
            "tftp server",
            "http server",
            "http path",
            "time zone name",
            "time zone code",
            "tagging enabled",
            "vlan id",
            "sip screen name",
            "sip line1 screen name",
            "sip vmail",
            "sip line1 vmail",
            "sip backup proxy ip",
            "sip line1 backup proxy ip",
            "sip backup proxy port",
            "sip line1 backup proxy port",
            "sip backup registrar ip",
            "sip line1 backup registrar ip",
            "sip backup registrar port",
            "sip line1 backup registrar port",
            "sip registration retry timer",
            "sip line1 registration retry timer",
            "sip registration timeout retry timer",
            "sip line1 registration timeout retry timer",
            "sip registration renewal timer",
            "sip line1 registration renewal timer",
        ]
    );
}

#[test]
fn the_network_keys_map_to_the_lan_parameters() {
    let registry = Registry::builtin();
    let file =
        parse(b"default gateway: 10.0.0.1\ndns2: 9.9.9.9\ndns1: 1.1.1.1\ndns1: 8.8.8.8\n").file;
    let out = to_parameters(&file, registry);
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    let pairs: Vec<(&str, &str, &str)> = out
        .parameters
        .iter()
        .map(|p| (p.path.as_str(), p.value.as_str(), p.xsd_type.as_str()))
        .collect();
    // The last `dns1` wins, as on the phone; the list keeps dns1 before dns2.
    assert_eq!(
        pairs,
        [
            ("Device.LAN.DefaultGateway", "10.0.0.1", "string"),
            ("Device.LAN.DNSServers", "8.8.8.8,9.9.9.9", "string"),
        ]
    );

    let back = from_parameters(&out.parameters, registry);
    assert!(back.unmapped.is_empty());
    assert_eq!(back.file.to_text(), "default gateway: 10.0.0.1\ndns1: 8.8.8.8\ndns2: 9.9.9.9\n");
}

#[test]
fn list_items_that_have_no_place_are_reported() {
    let registry = Registry::builtin();
    // dns2 without dns1 would become the first server: not written.
    let out = to_parameters(&parse(b"dns2: 9.9.9.9\n").file, registry);
    assert!(out.parameters.is_empty());
    assert_eq!(out.unmapped.len(), 1);
    assert_eq!(
        out.unmapped[0].reason,
        "`dns1` is not set, so this value has no place in `Device.LAN.DNSServers`"
    );
    let comma = to_parameters(&parse(b"dns1: 1.1.1.1,8.8.8.8\n").file, registry);
    assert!(comma.parameters.is_empty());
    assert_eq!(comma.unmapped[0].name, "dns1");

    let dns = |value: &str| Parameter {
        path: "Device.LAN.DNSServers".into(),
        value: value.into(),
        xsd_type: "string".into(),
    };
    // A third server has no key; the two the phone keeps are written.
    let three = from_parameters(&[dns("1.1.1.1, 8.8.8.8 ,9.9.9.9")], registry);
    assert_eq!(three.file.to_text(), "dns1: 1.1.1.1\ndns2: 8.8.8.8\n");
    assert_eq!(three.unmapped.len(), 1);
    assert_eq!(three.unmapped[0].value, "9.9.9.9");
    assert_eq!(
        three.unmapped[0].reason,
        "the phone keeps 2 entries (dns1, dns2); these have no key"
    );
    // One server clears the second, so the phone does not keep a stale one.
    let one = from_parameters(&[dns("1.1.1.1")], registry);
    assert!(one.unmapped.is_empty());
    assert_eq!(one.file.get("dns1"), Some("1.1.1.1"));
    assert_eq!(one.file.get("dns2"), Some(""));
}
