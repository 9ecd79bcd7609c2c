// Static description of the simulated network: home id, nodes, parameters, initial state.
// Values follow the project's fact sheet; ranges follow @zwave-js/config device files.
import { CommandClasses, ConfigValueFormat } from "@zwave-js/core";

export const HOME_ID = 0xc0dec0de;
export const CONTROLLER_NODE_ID = 1;

const S = ConfigValueFormat.SignedInteger;
const U = ConfigValueFormat.UnsignedInteger;

// Electric meter scales (Meter CC): kWh=0, kVAh=1, W=2, V=4, A=5
export const METER_SCALES = { kWh: 0, kVAh: 1, W: 2, V: 4, A: 5 };
export const METER_SCALE_NAMES = Object.fromEntries(
	Object.entries(METER_SCALES).map(([k, v]) => [v, k]),
);
export const ACCUMULATED_SCALES = ["kWh", "kVAh"];
export const PLUG_POWER_ON_W = 42.5;

// Meter CC rate types as they go on the wire
export const RATE_TYPE_IDS = { unspecified: 0, consumed: 1, produced: 2 };

// The Z-HAN2 reports exported active energy (kWh returned to the grid) on meter scale 1, which
// Meter CC calls "kVAh", with an undocumented rate type: "consumed" (1) or "produced" (2),
// switchable per node (state.exportRateType). state.meters.kVAh holds the export total.
export const EXPORT_SCALE = "kVAh";
export const EXPORT_RATE_TYPES = ["consumed", "produced"];
export const DEFAULT_EXPORT_RATE_TYPE = "consumed";

/**
 * Norwegian AMS meter ids are 16 decimal digits, packed as BCD into 8 bytes: the Z-HAN2 reports
 * the first four bytes (big-endian) in parameter 9 and the last four in parameter 10.
 */
export function meterSerialToParams(digits) {
	if (!/^\d{16}$/.test(digits)) throw new Error(`meter serial must be 16 decimal digits: ${digits}`);
	return [Number.parseInt(digits.slice(0, 8), 16), Number.parseInt(digits.slice(8), 16)];
}

/** Inverse of meterSerialToParams: the 16 nibbles as a string (digits if they are BCD) */
export function paramsToMeterSerial(high, low) {
	const hex = (v) => (Number(v) >>> 0).toString(16).padStart(8, "0");
	return hex(high) + hex(low);
}

const HAN_METER_SERIAL = "7359992891234567"; // -> param 9 = 0x73599928, param 10 = 0x91234567
const HAN_SERIAL_PARAMS = [9, 10];

// Saved device state (simulator-devices.json) carries this version; older files are migrated
export const STATE_VERSION = 2;
// What version 1 stored for node 4 before anybody changed it: the absurd export total and the
// database defaults of the serial parameters
const V1_HAN_DEFAULTS = { kVAh: 13000.5, serial: { 9: 1718972025, 10: 1835363685 } };

/**
 * Migrate one node's saved state from an older simulator version (in place, returns it).
 * Version 1 -> 2 (node 4 only): the untouched old defaults of the export total (13000.5 "kVAh")
 * and of the serial parameters are dropped, so the new defaults apply; values somebody set are kept.
 */
export function migrateSavedState(def, state, version) {
	if (!state || version >= STATE_VERSION || def.kind !== "meter") return state;
	if (state.meters?.[EXPORT_SCALE] === V1_HAN_DEFAULTS.kVAh) delete state.meters[EXPORT_SCALE];
	const cfg = state.config;
	if (cfg && HAN_SERIAL_PARAMS.every((n) => cfg[String(n)] === V1_HAN_DEFAULTS.serial[n])) {
		for (const n of HAN_SERIAL_PARAMS) delete cfg[String(n)];
	}
	return state;
}

/** param(number, size, default, format, min, max, readonly) */
function p(num, size, def, { format = S, min, max, readonly = false } = {}) {
	if (min === undefined) min = format === U ? 0 : -(2 ** (8 * size - 1));
	if (max === undefined) max = format === U ? 2 ** (8 * size) - 1 : 2 ** (8 * size - 1) - 1;
	return { "#": num, valueSize: size, defaultValue: def, format, minValue: min, maxValue: max, readonly };
}

function plugParams(isZen06) {
	const params = [
		p(20, 1, 1, { format: U, min: 0, max: 1 }),
		p(21, 1, 0, { min: 0, max: 2 }),
		p(24, 1, 1, { min: 0, max: 2 }),
		// ZEN06 fw >= 1.3: 0..3, default 1; HANK: 0..1, default 0
		p(27, 1, isZen06 ? 1 : 0, { min: 0, max: isZen06 ? 3 : 1 }),
	];
	if (isZen06) params.push(p(30, 1, 1, { format: U, min: 0, max: 1 }));
	params.push(
		p(151, 2, 50, { format: U, min: 0, max: 65535 }),
		p(152, 1, 10, { format: U, min: 0, max: 255 }),
		p(171, 4, 30, { min: 0, max: 2678400 }),
		p(172, 4, 300, { min: 0, max: 2678400 }),
		p(173, 4, isZen06 ? 300 : 0, { min: 0, max: 2678400 }),
		p(174, 4, isZen06 ? 300 : 0, { min: 0, max: 2678400 }),
	);
	return params;
}

function hanParams() {
	return [
		p(1, 4, 200, { min: 0, max: 100000 }),
		p(2, 2, 5, { min: 0, max: 420 }),
		p(3, 2, 20, { format: U, min: 0, max: 65535 }),
		p(4, 2, 10, { format: U, min: 10, max: 65535 }),
		p(5, 2, 300, { format: U, min: 10, max: 65535 }),
		p(6, 2, 300, { format: U, min: 30, max: 65535 }),
		p(7, 1, 10, { min: 0, max: 100 }),
		p(8, 1, 0, { min: -60, max: 60 }),
		// Meter serial (BCD, see meterSerialToParams). The defaults are what the zwave-js
		// database lists; the device state holds the actual serial.
		p(9, 4, 1718972025, { format: U, min: 0, max: 4294967295, readonly: true }),
		p(10, 4, 1835363685, { format: U, min: 0, max: 4294967295, readonly: true }),
		p(11, 2, 0, { min: 0, max: 1000 }),
	];
}

function plugCCs(params) {
	return [
		{ ccId: CommandClasses["Binary Switch"], version: 1 },
		{
			ccId: CommandClasses.Meter,
			version: 3,
			meterType: 0x01,
			supportedScales: [0, 2, 4, 5],
			// Meter v3 has no rate types in its Supported Report (reserved bits)
			supportedRateTypes: [],
			supportsReset: true,
		},
		{ ccId: CommandClasses["Scene Activation"], version: 1 },
		{ ccId: CommandClasses["Scene Actuator Configuration"], version: 1 },
		{ ccId: CommandClasses["All Switch"], version: 1 },
		{ ccId: CommandClasses.Configuration, version: 1, bulkSupport: false, parameters: params },
		{ ccId: CommandClasses.Association, version: 2 },
		{ ccId: CommandClasses.Version, version: 2 },
		{ ccId: CommandClasses["Manufacturer Specific"], version: 1 },
		{ ccId: CommandClasses["Z-Wave Plus Info"], version: 2 },
	];
}

function hanCCs(params) {
	return [
		{
			ccId: CommandClasses.Meter,
			version: 3,
			meterType: 0x01,
			supportedScales: [0, 1, 2, 4, 5],
			// Meter v3 has no rate types in its Supported Report (reserved bits)
			supportedRateTypes: [],
			supportsReset: true,
		},
		{
			ccId: CommandClasses["Multilevel Sensor"],
			version: 10,
			sensors: { 1: { supportedScales: [0] } }, // Air temperature, Celsius
		},
		{ ccId: CommandClasses.Configuration, version: 1, bulkSupport: false, parameters: params },
		{ ccId: CommandClasses.Association, version: 2 },
		{ ccId: CommandClasses["Multi Channel Association"], version: 3 },
		{
			ccId: CommandClasses.Indicator,
			version: 3,
			indicators: { 0x50: { properties: [3, 4, 5] } }, // Identify
		},
		{ ccId: CommandClasses.Version, version: 2 },
		{ ccId: CommandClasses["Manufacturer Specific"], version: 1 },
		{ ccId: CommandClasses["Z-Wave Plus Info"], version: 2 },
	];
}

function defaultsOf(params) {
	return Object.fromEntries(params.map((x) => [String(x["#"]), x.defaultValue]));
}

// Z-Wave classic node ids are 1..232; node 1 is the controller
export const MAX_NODES = 232 - CONTROLLER_NODE_ID;

// A metering plug of another maker, which no quirk supports: the HANK plug's capabilities under
// ids that no device file of zwave-js knows (so zwave-js and its clients treat it generically)
export const FOREIGN_PLUG_IDS = { manufacturerId: 0x0086, productType: 0x7f01, productId: 0x7f02 };

/**
 * Fresh device definitions (capabilities + initial device state) of `count` nodes: nodes 2, 3
 * and 4 as described in README.md, then copies of the HANK plug, the ZEN06 plug and the Z-HAN2
 * in turn, with node ids 5..count+1. Each Z-HAN2 copy gets its own meter id. With
 * `foreignPlug`, the last of the `count` nodes is a plug no quirk supports (FOREIGN_PLUG_IDS).
 */
export function createDeviceDefinitions(count = 3, { foreignPlug = false } = {}) {
	if (!Number.isInteger(count) || count < 3 || count > MAX_NODES) {
		throw new Error(`the number of nodes must be an integer 3..${MAX_NODES}: ${count}`);
	}
	if (foreignPlug) {
		if (count < 4) throw new Error("a foreign plug needs --nodes 4 or more");
		const defs = createDeviceDefinitions(count - 1);
		const plug = baseDefinitions()[0];
		plug.id = count + 1;
		plug.name = "Foreign metering plug";
		Object.assign(plug.capabilities, FOREIGN_PLUG_IDS);
		return [...defs, plug];
	}
	const base = baseDefinitions();
	const defs = [...base];
	for (let id = base.length + 2; id <= count + 1; id++) {
		const def = baseDefinitions()[(id - 2) % base.length];
		def.id = id;
		if (def.serialParams) {
			const serial = `${HAN_METER_SERIAL.slice(0, 13)}${String(id).padStart(3, "0")}`;
			meterSerialToParams(serial).forEach((v, i) => {
				def.state.config[String(def.serialParams[i])] = v;
			});
		}
		defs.push(def);
	}
	return defs;
}

function baseDefinitions() {
	const hankParams = plugParams(false);
	const zenParams = plugParams(true);
	const hanP = hanParams();
	return [
		{
			id: 2,
			name: "HANK HKZW-SO03",
			kind: "plug",
			capabilities: {
				manufacturerId: 0x0208,
				productType: 0x0101,
				productId: 0x000a,
				firmwareVersion: "1.0",
				genericDeviceClass: 0x10, // Binary Switch
				specificDeviceClass: 0x01, // Power Switch Binary
				commandClasses: plugCCs(hankParams),
			},
			params: hankParams,
			groups: { 1: { maxNodes: 5 } },
			state: {
				switch: false,
				config: defaultsOf(hankParams),
				meters: { kWh: 1.23, W: 0, V: 230.1, A: 0.18 },
				temperature: null,
			},
		},
		{
			id: 3,
			name: "Zooz ZEN06",
			kind: "plug",
			capabilities: {
				manufacturerId: 0x027a,
				productType: 0x0101,
				productId: 0x000a,
				firmwareVersion: "1.3",
				genericDeviceClass: 0x10,
				specificDeviceClass: 0x01,
				commandClasses: plugCCs(zenParams),
			},
			params: zenParams,
			groups: { 1: { maxNodes: 1 } },
			state: {
				switch: false,
				config: defaultsOf(zenParams),
				meters: { kWh: 1.23, W: 0, V: 230.1, A: 0.18 },
				temperature: null,
			},
		},
		{
			id: 4,
			name: "Heatit Z-HAN2",
			kind: "meter",
			capabilities: {
				manufacturerId: 0x019b,
				productType: 0x0062,
				productId: 0x6201,
				firmwareVersion: "1.0",
				genericDeviceClass: 0x31, // Meter
				specificDeviceClass: 0x01, // Simple Meter
				commandClasses: hanCCs(hanP),
			},
			params: hanP,
			groups: { 1: { maxNodes: 5 }, 2: { maxNodes: 5 } },
			serialParams: HAN_SERIAL_PARAMS,
			state: {
				switch: null,
				config: {
					...defaultsOf(hanP),
					...Object.fromEntries(
						meterSerialToParams(HAN_METER_SERIAL).map((v, i) => [String(HAN_SERIAL_PARAMS[i]), v]),
					),
				},
				// kVAh = scale 1 = exported active energy in kWh (a household with solar panels)
				meters: { kWh: 12345.67, kVAh: 1234.56, W: 1500, V: 231.4, A: 6.5 },
				exportRateType: DEFAULT_EXPORT_RATE_TYPE,
				temperature: 21.5, // -999.9 is the device's "no reading" value
			},
		},
	];
}
