//! Parameter sets from CWMP messages: an Inform's ParameterList and DeviceId,
//! GetParameterValues / GetParameterNames / GetParameterAttributes responses
//! and SetParameterValues requests.
//!
//! The functions take the message parts as plain slices and tuples, so they
//! serve whichever codec type carries them; [`from_message`] dispatches on
//! the codec's [`Message`] for the variants it has.

use crate::cwmp::{Inform, Message, ParameterValueStruct};

use super::set::{Entry, ParameterSet, Provenance, type_local_name};

fn value_entry(parameter: &ParameterValueStruct, source: &str) -> Entry {
    Entry {
        value_type: parameter.value.xsi_type.as_deref().map(type_local_name).map(str::to_string),
        provenance: vec![Provenance::new(source)],
        ..Entry::parameter(parameter.name.as_str(), parameter.value.text.as_str())
    }
}

/// Values as reported (GetParameterValuesResponse, an Inform's ParameterList)
/// or requested (SetParameterValues). A name ending in `.` is kept as an object.
pub fn from_parameter_values(parameters: &[ParameterValueStruct], source: &str) -> ParameterSet {
    parameters
        .iter()
        .map(|parameter| {
            if parameter.name.ends_with('.') {
                Entry {
                    provenance: vec![Provenance::new(source)],
                    ..Entry::object(parameter.name.as_str())
                }
            } else {
                value_entry(parameter, source)
            }
        })
        .collect()
}

/// An Inform: its ParameterList, and its DeviceId as metadata (named as
/// GenieACS names them, so dumps and Informs of one device line up).
pub fn from_inform(inform: &Inform, source: &str) -> ParameterSet {
    let mut set = from_parameter_values(&inform.parameter_list, source);
    let id = &inform.device_id;
    for (name, value) in [
        ("DeviceID.Manufacturer", &id.manufacturer),
        ("DeviceID.OUI", &id.oui),
        ("DeviceID.ProductClass", &id.product_class),
        ("DeviceID.SerialNumber", &id.serial_number),
    ] {
        set.metadata.insert(name.to_string(), value.clone());
    }
    set
}

/// A GetParameterNamesResponse: `(name, writable)` pairs; names ending in `.`
/// are objects (their `writable` means AddObject/DeleteObject is allowed).
pub fn from_parameter_names<'a>(
    names: impl IntoIterator<Item = (&'a str, bool)>,
    source: &str,
) -> ParameterSet {
    names
        .into_iter()
        .map(|(name, writable)| {
            let mut entry = if name.ends_with('.') {
                Entry::object(name)
            } else {
                Entry { path: name.to_string(), ..Entry::default() }
            };
            entry.writable = Some(writable);
            entry.provenance.push(Provenance::new(source));
            entry
        })
        .collect()
}

/// A GetParameterAttributesResponse: `(name, notification, access list)`.
pub fn from_parameter_attributes<'a>(
    attributes: impl IntoIterator<Item = (&'a str, u8, &'a [String])>,
    source: &str,
) -> ParameterSet {
    attributes
        .into_iter()
        .map(|(name, notification, access_list)| Entry {
            path: name.to_string(),
            object: name.ends_with('.'),
            notification: Some(notification),
            access_list: Some(access_list.to_vec()),
            provenance: vec![Provenance::new(source)],
            ..Entry::default()
        })
        .collect()
}

/// A notification level as the codec holds it (`int`); values outside 0–255
/// become 255 so that validation reports them rather than losing them.
fn notification_level(level: i32) -> u8 {
    u8::try_from(level).unwrap_or(u8::MAX)
}

/// The parameter set a codec message carries, if it carries one: Inform,
/// GetParameterValuesResponse, GetParameterNamesResponse,
/// GetParameterAttributesResponse, SetParameterValues (the values it asks for).
pub fn from_message(message: &Message, source: &str) -> Option<ParameterSet> {
    match message {
        Message::Inform(inform) => Some(from_inform(inform, source)),
        Message::GetParameterValuesResponse(response) => {
            Some(from_parameter_values(&response.parameter_list, source))
        }
        Message::SetParameterValues(request) => {
            Some(from_parameter_values(&request.parameter_list, source))
        }
        Message::GetParameterNamesResponse(response) => Some(from_parameter_names(
            response.parameter_list.iter().map(|p| (p.name.as_str(), p.writable)),
            source,
        )),
        Message::GetParameterAttributesResponse(response) => Some(from_parameter_attributes(
            response.parameter_list.iter().map(|p| {
                (p.name.as_str(), notification_level(p.notification), p.access_list.as_slice())
            }),
            source,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cwmp::{DeviceId, Value};

    #[test]
    fn inform_names_and_attributes_merge() {
        let inform = Inform {
            device_id: DeviceId { oui: "00085D".into(), ..DeviceId::default() },
            parameter_list: vec![ParameterValueStruct {
                name: "Device.ManagementServer.PeriodicInformInterval".into(),
                value: Value { xsi_type: Some("xsd:unsignedInt".into()), text: "600".into() },
            }],
            ..Inform::default()
        };
        let mut set = from_inform(&inform, "Inform");
        set.merge(from_parameter_names(
            [
                ("Device.ManagementServer.PeriodicInformInterval", true),
                ("Device.ManagementServer.", false),
            ],
            "GetParameterNamesResponse",
        ));
        let access = ["Subscriber".to_string()];
        set.merge(from_parameter_attributes(
            [("Device.ManagementServer.PeriodicInformInterval", 2, &access[..])],
            "GetParameterAttributesResponse",
        ));
        let entry = set.get("Device.ManagementServer.PeriodicInformInterval").unwrap();
        assert_eq!(entry.value.as_deref(), Some("600"));
        assert_eq!(entry.value_type.as_deref(), Some("unsignedInt"));
        assert_eq!((entry.writable, entry.notification), (Some(true), Some(2)));
        assert_eq!(entry.provenance.len(), 3);
        assert!(set.get("Device.ManagementServer.").unwrap().object);
        assert_eq!(set.metadata["DeviceID.OUI"], "00085D");
        assert_eq!(notification_level(-1), 255);
    }
}
