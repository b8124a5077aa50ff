//! One decoded SOAP envelope.

use crate::components::path::PathText;
use crate::components::structure::StructureView;
use cwmpkit_core::cwmp::{
    Envelope, EventStruct, Inform, Message, ParameterValueStruct, SoapFault, tables,
};
use leptos::prelude::*;

#[component]
pub fn EnvelopeView(index: usize, envelope: Envelope) -> impl IntoView {
    let name = envelope.message.name().to_owned();
    let id = envelope.header.id.as_deref().unwrap_or("—").to_owned();
    let version = format!("{:?}", envelope.version).replace("V", "CWMP ").replace('_', ".");
    let body = match envelope.message {
        Message::Inform(inform) => view! { <InformView inform /> }.into_any(),
        Message::GetParameterValuesResponse(response) => {
            view! { <ParameterTable parameters=response.parameter_list /> }.into_any()
        }
        Message::SetParameterValues(request) => view! {
            <p class="meta">"ParameterKey "<code>{request.parameter_key}</code></p>
            <ParameterTable parameters=request.parameter_list />
        }
        .into_any(),
        Message::Fault(fault) => view! { <FaultView fault /> }.into_any(),
        #[allow(unreachable_patterns)] // reason: the codec models more messages over time
        other => match serde_json::to_value(&other) {
            // Serde wraps a variant as {"Name": fields}; the heading already says the name.
            Ok(serde_json::Value::Object(mut wrapper)) if wrapper.len() == 1 => {
                let value = wrapper.remove(&name).unwrap_or(serde_json::Value::Object(wrapper));
                view! { <StructureView value /> }.into_any()
            }
            Ok(value) => view! { <StructureView value /> }.into_any(),
            Err(error) => view! { <p class="error-box">{error.to_string()}</p> }.into_any(),
        },
    };
    view! {
        <article class="envelope" data-index=index>
            <h2 class="rpc-name">{name}</h2>
            <p class="envelope-meta">{version}" · ID "<code>{id}</code></p>
            {body}
        </article>
    }
}

#[component]
fn InformView(inform: Inform) -> impl IntoView {
    let device = inform.device_id;
    view! {
        <div class="cards">
            <section class="card" id="device-id">
                <h3>"Device"</h3>
                <dl>
                    <dt>"Manufacturer"</dt><dd data-field="manufacturer">{device.manufacturer}</dd>
                    <dt>"OUI"</dt><dd data-field="oui">{device.oui}</dd>
                    <dt>"ProductClass"</dt><dd data-field="product-class">{device.product_class}</dd>
                    <dt>"SerialNumber"</dt><dd data-field="serial-number">{device.serial_number}</dd>
                </dl>
            </section>
            <section class="card" id="events">
                <h3>"Events"</h3>
                <ul>{inform.events.into_iter().map(|e| view! { <EventItem event=e /> }).collect_view()}</ul>
                <p class="meta">
                    {format!("CurrentTime {} · RetryCount {} · MaxEnvelopes {}",
                        inform.current_time, inform.retry_count, inform.max_envelopes)}
                </p>
            </section>
        </div>
        <ParameterTable parameters=inform.parameter_list />
    }
}

#[component]
fn EventItem(event: EventStruct) -> impl IntoView {
    let meaning = tables::event_meaning(&event.event_code).unwrap_or("unknown event code");
    let key =
        (!event.command_key.is_empty()).then(|| format!(" · CommandKey {}", event.command_key));
    view! {
        <li class="event">
            <code class="event-code">{event.event_code}</code>
            " "
            <span class="event-meaning">{meaning}</span>
            <span class="meta">{key}</span>
        </li>
    }
}

#[component]
pub fn ParameterTable(parameters: Vec<ParameterValueStruct>) -> impl IntoView {
    let count = parameters.len();
    view! {
        <section class="card wide">
            <h3>{format!("Parameters ({count})")}</h3>
            <table id="parameters">
                <thead><tr><th>"Name"</th><th>"Type"</th><th>"Value"</th></tr></thead>
                <tbody>
                    {parameters.into_iter().map(|p| {
                        let (kind, untyped) = match &p.value.xsi_type {
                            Some(t) => (t.to_string(), false),
                            None => ("untyped".to_owned(), true),
                        };
                        view! {
                            <tr>
                                <td class="param-name"><PathText path=p.name.to_string()/></td>
                                <td class="param-type" class:untyped=untyped>{kind}</td>
                                <td class="param-value">{p.value.text.to_string()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn FaultView(fault: SoapFault) -> impl IntoView {
    let cwmp_fault = fault.detail.map(|detail| {
        let meaning = tables::fault_meaning(detail.fault_code).unwrap_or("fault code outside TR-069");
        let per_parameter = (!detail.set_parameter_values_faults.is_empty()).then(|| {
            view! {
                <table class="fault-parameters">
                    <thead><tr><th>"Parameter"</th><th>"Fault"</th><th>"Meaning"</th><th>"FaultString"</th></tr></thead>
                    <tbody>
                        {detail.set_parameter_values_faults.into_iter().map(|f| {
                            let meaning = tables::fault_meaning(f.fault_code).unwrap_or("—");
                            view! {
                                <tr>
                                    <td class="param-name"><PathText path=f.parameter_name/></td>
                                    <td>{f.fault_code}</td>
                                    <td>{meaning}</td>
                                    <td>{f.fault_string}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
        });
        view! {
            <p class="fault-summary">
                <strong class="fault-code">{detail.fault_code}</strong>
                " "
                <span class="fault-meaning">{meaning}</span>
                " · "
                {detail.fault_string}
            </p>
            {per_parameter}
        }
    });
    view! {
        <section class="card wide fault" id="fault">
            <h3>"SOAP Fault"</h3>
            <p class="meta">{format!("faultcode {} · faultstring {}", fault.fault_code, fault.fault_string)}</p>
            {cwmp_fault}
        </section>
    }
}
