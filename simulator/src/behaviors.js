// Custom mock node behaviours. They are defined after the zwave-js defaults, so they take
// precedence (MockNode.defineBehavior inserts new behaviours at the front).
import {
	AssociationCCGet,
	AssociationCCRemove,
	AssociationCCReport,
	AssociationCCSet,
	AssociationCCSupportedGroupingsGet,
	AssociationCCSupportedGroupingsReport,
	BasicCCGet,
	BasicCCReport,
	BasicCCSet,
	BinarySwitchCCGet,
	BinarySwitchCCReport,
	BinarySwitchCCSet,
	ConfigurationCCGet,
	ConfigurationCCReport,
	ConfigurationCCSet,
	MeterCCGet,
	MeterCCReport,
	MeterCCReset,
	MeterCCSupportedGet,
	MeterCCSupportedReport,
	MultiChannelAssociationCCGet,
	MultiChannelAssociationCCRemove,
	MultiChannelAssociationCCReport,
	MultiChannelAssociationCCSet,
	MultiChannelAssociationCCSupportedGroupingsGet,
	MultiChannelAssociationCCSupportedGroupingsReport,
	MultilevelSensorCCGet,
	MultilevelSensorCCReport,
	RateType,
} from "zwave-js";
import { CommandClasses, ConfigValueFormat } from "@zwave-js/core";
import { createMockZWaveRequestFrame } from "@zwave-js/testing";
import {
	ACCUMULATED_SCALES,
	EXPORT_SCALE,
	METER_SCALES,
	METER_SCALE_NAMES,
	PLUG_POWER_ON_W,
	RATE_TYPE_IDS,
} from "./devices.js";

// ---------------------------------------------------------------------------
// helpers

/** Human readable command name of a received CC, e.g. "Set" for ConfigurationCCSet */
export function commandName(cc) {
	const name = cc.constructor?.name ?? "";
	const idx = name.indexOf("CC");
	if (idx >= 0 && idx + 2 < name.length) return name.slice(idx + 2);
	return `0x${(cc.ccCommand ?? 0).toString(16).padStart(2, "0")}`;
}

/** Interpret a signed wire value as the device stores it (unsigned params wrap around) */
export function toDeviceValue(param, value) {
	if (param.format === ConfigValueFormat.UnsignedInteger && value < 0) {
		return value + 2 ** (8 * param.valueSize);
	}
	return value;
}

/** Does the value fit into the parameter's size/format? */
export function fitsParam(param, value) {
	if (!Number.isInteger(value)) return false;
	const bits = 8 * param.valueSize;
	if (param.format === ConfigValueFormat.UnsignedInteger) return value >= 0 && value < 2 ** bits;
	return value >= -(2 ** (bits - 1)) && value < 2 ** (bits - 1);
}

function recordReceived(dev, cc) {
	const entry = {
		cc: CommandClasses[cc.ccId] ?? `0x${cc.ccId.toString(16)}`,
		command: commandName(cc),
	};
	if (cc instanceof ConfigurationCCSet) {
		const param = dev.params.find((x) => x["#"] === cc.parameter);
		entry.param = cc.parameter;
		if (cc.resetToDefault) entry.resetToDefault = true;
		else {
			entry.value = param ? toDeviceValue(param, cc.value) : cc.value;
			entry.size = cc.valueSize;
		}
	} else if (cc instanceof ConfigurationCCGet) {
		entry.param = cc.parameter;
	} else if (cc instanceof BinarySwitchCCSet) {
		entry.value = cc.targetValue;
	} else if (cc instanceof BasicCCSet) {
		entry.value = cc.targetValue;
	} else if (cc instanceof MeterCCGet) {
		entry.scale = METER_SCALE_NAMES[cc.scale] ?? cc.scale;
	} else if (
		cc instanceof AssociationCCSet
		|| cc instanceof AssociationCCRemove
		|| cc instanceof MultiChannelAssociationCCSet
		|| cc instanceof MultiChannelAssociationCCRemove
	) {
		entry.groupId = cc.groupId;
		entry.nodeIds = cc.nodeIds;
	} else if (cc.payload && cc.payload.length && entry.command.startsWith("0x")) {
		entry.payload = Buffer.from(cc.payload).toString("hex");
	}
	entry.time = new Date().toISOString();
	dev.received.push(entry);
	if (dev.received.length > 1000) dev.received.splice(0, dev.received.length - 1000);
}

function meterCaps(self) {
	return self.getCCCapabilities(CommandClasses.Meter) ?? {};
}

/** Does this node report its export total on meter scale 1 (Z-HAN2)? */
export function hasExportRegister(dev) {
	return dev.state.exportRateType != null && EXPORT_SCALE in dev.state.meters;
}

/** Wire rate type of the node's scale 1 reports (Z-HAN2: consumed or produced, switchable) */
export function exportRateTypeId(dev) {
	return RATE_TYPE_IDS[dev.state.exportRateType] ?? RateType.Consumed;
}

/** The rate type a report for this scale carries when nobody asks for a particular one */
export function defaultRateTypeFor(dev, scaleName) {
	return scaleName === EXPORT_SCALE && hasExportRegister(dev) ? exportRateTypeId(dev) : RateType.Consumed;
}

// ---------------------------------------------------------------------------
// behaviours

export function createBehaviors(dev) {
	const ownId = (controller) => controller.ownNodeId;

	/** Record every received command; never handles the frame itself */
	const recorder = {
		handleCC(controller, self, cc) {
			try {
				recordReceived(dev, cc);
			} catch (e) {
				console.error(`recorder error: ${e?.stack ?? e}`);
			}
			return undefined;
		},
	};

	const binarySwitch = {
		handleCC(controller, self, cc) {
			if (dev.state.switch === null) return;
			if (cc instanceof BinarySwitchCCSet || cc instanceof BasicCCSet) {
				const on = cc instanceof BasicCCSet ? cc.targetValue > 0 : !!cc.targetValue;
				dev.setSwitch(on);
				return { action: "ok" };
			}
			if (cc instanceof BinarySwitchCCGet) {
				return {
					action: "sendCC",
					cc: new BinarySwitchCCReport({ nodeId: ownId(controller), currentValue: dev.state.switch }),
				};
			}
			if (cc instanceof BasicCCGet) {
				return {
					action: "sendCC",
					cc: new BasicCCReport({ nodeId: ownId(controller), currentValue: dev.state.switch ? 0xff : 0 }),
				};
			}
		},
	};

	const meter = {
		handleCC(controller, self, cc) {
			if (cc instanceof MeterCCSupportedGet) {
				const caps = meterCaps(self);
				return {
					action: "sendCC",
					cc: new MeterCCSupportedReport({
						nodeId: ownId(controller),
						type: caps.meterType ?? 1,
						supportedScales: caps.supportedScales ?? [0],
						supportedRateTypes: caps.supportedRateTypes ?? [],
						supportsReset: caps.supportsReset ?? true,
					}),
				};
			}
			if (cc instanceof MeterCCGet) {
				const caps = meterCaps(self);
				const scale = cc.scale ?? caps.supportedScales?.[0] ?? 0;
				const scaleName = METER_SCALE_NAMES[scale];
				let value = dev.state.meters[scaleName] ?? 0;
				let rateType;
				if (scaleName === EXPORT_SCALE && hasExportRegister(dev)) {
					// Z-HAN2 scale 1 = export total, always with the node's export rate type,
					// whatever rate type the Get asked for
					rateType = exportRateTypeId(dev);
				} else {
					// v3 Gets carry no rate type (parsed as 0): answer "Consumed". A Get that does
					// ask for "Produced" (only possible with raw v4+ frames) answers 0: the device
					// has no produced register on the other scales.
					rateType = cc.rateType === RateType.Produced ? RateType.Produced : RateType.Consumed;
					if (rateType === RateType.Produced) value = 0;
				}
				return {
					action: "sendCC",
					cc: new MeterCCReport({
						nodeId: ownId(controller),
						type: caps.meterType ?? 1,
						scale,
						rateType,
						value,
						deltaTime: 0,
					}),
				};
			}
			if (cc instanceof MeterCCReset) {
				const caps = meterCaps(self);
				const resetScales = ACCUMULATED_SCALES.filter((k) => k in dev.state.meters);
				for (const k of resetScales) dev.state.meters[k] = 0;
				dev.changed();
				// Like real meters: report the new totals shortly after the reset (Z-HAN2: scale 1
				// with the export rate type)
				setTimeout(() => {
					void (async () => {
						for (const k of resetScales) {
							const report = new MeterCCReport({
								nodeId: ownId(controller),
								type: caps.meterType ?? 1,
								scale: METER_SCALES[k],
								rateType: defaultRateTypeFor(dev, k),
								value: 0,
								deltaTime: 0,
							});
							await self.sendToController(createMockZWaveRequestFrame(report, { ackRequested: true }));
						}
					})().catch((e) => console.error(`meter reset report failed: ${e?.message ?? e}`));
				}, 100);
				return { action: "ok" };
			}
		},
	};

	const configuration = {
		handleCC(controller, self, cc) {
			if (cc instanceof ConfigurationCCGet) {
				const param = dev.params.find((x) => x["#"] === cc.parameter);
				if (!param) return { action: "stop" };
				return {
					action: "sendCC",
					cc: new ConfigurationCCReport({
						nodeId: ownId(controller),
						parameter: param["#"],
						value: dev.state.config[String(param["#"])] ?? param.defaultValue,
						valueSize: param.valueSize,
						valueFormat: param.format,
					}),
				};
			}
			if (cc instanceof ConfigurationCCSet) {
				const param = dev.params.find((x) => x["#"] === cc.parameter);
				if (!param || param.readonly) return { action: "fail" };
				if (cc.resetToDefault) {
					dev.state.config[String(param["#"])] = param.defaultValue;
					dev.changed();
					return { action: "ok" };
				}
				if (cc.valueSize !== param.valueSize) return { action: "fail" };
				const value = toDeviceValue(param, cc.value);
				if (value < param.minValue || value > param.maxValue) return { action: "fail" };
				dev.state.config[String(param["#"])] = value;
				dev.changed();
				return { action: "ok" };
			}
		},
	};

	const sensor = {
		handleCC(controller, self, cc) {
			if (cc instanceof MultilevelSensorCCGet && dev.state.temperature !== null) {
				return {
					action: "sendCC",
					cc: new MultilevelSensorCCReport({
						nodeId: ownId(controller),
						type: 0x01,
						scale: 0x00,
						value: dev.state.temperature,
					}),
				};
			}
		},
	};

	// Association v2 and Multi Channel Association v3 share the same groups
	const association = {
		handleCC(controller, self, cc) {
			const groups = dev.assoc;
			const mca = cc instanceof MultiChannelAssociationCCGet
				|| cc instanceof MultiChannelAssociationCCSet
				|| cc instanceof MultiChannelAssociationCCRemove
				|| cc instanceof MultiChannelAssociationCCSupportedGroupingsGet;
			if (cc instanceof AssociationCCSupportedGroupingsGet || cc instanceof MultiChannelAssociationCCSupportedGroupingsGet) {
				const Report = mca ? MultiChannelAssociationCCSupportedGroupingsReport : AssociationCCSupportedGroupingsReport;
				return {
					action: "sendCC",
					cc: new Report({ nodeId: ownId(controller), groupCount: Object.keys(dev.groups).length }),
				};
			}
			if (cc instanceof AssociationCCGet || cc instanceof MultiChannelAssociationCCGet) {
				const groupId = dev.groups[cc.groupId] ? cc.groupId : 1;
				const opts = {
					nodeId: ownId(controller),
					groupId,
					maxNodes: dev.groups[groupId].maxNodes,
					nodeIds: [...(groups[groupId] ?? [])],
					reportsToFollow: 0,
				};
				return {
					action: "sendCC",
					cc: mca ? new MultiChannelAssociationCCReport({ ...opts, endpoints: [] }) : new AssociationCCReport(opts),
				};
			}
			if (cc instanceof AssociationCCSet || cc instanceof MultiChannelAssociationCCSet) {
				const g = dev.groups[cc.groupId];
				if (!g) return { action: "fail" };
				const cur = new Set(groups[cc.groupId] ?? []);
				for (const n of cc.nodeIds ?? []) if (cur.size < g.maxNodes) cur.add(n);
				groups[cc.groupId] = [...cur];
				dev.changed();
				return { action: "ok" };
			}
			if (cc instanceof AssociationCCRemove || cc instanceof MultiChannelAssociationCCRemove) {
				const ids = cc.groupId ? [cc.groupId] : Object.keys(dev.groups).map(Number);
				for (const gid of ids) {
					if (!cc.nodeIds?.length) groups[gid] = [];
					else groups[gid] = (groups[gid] ?? []).filter((n) => !cc.nodeIds.includes(n));
				}
				dev.changed();
				return { action: "ok" };
			}
		},
	};

	// Order: first element is consulted first after defineBehavior(...)
	return [recorder, binarySwitch, meter, configuration, sensor, association];
}

export { PLUG_POWER_ON_W };
