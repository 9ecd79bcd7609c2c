// Static description of the simulated network: home id, nodes, parameters, initial state.
// Values follow the project's fact sheet; ranges follow @zwave-js/config device files.
import { CommandClasses, ConfigValueFormat } from "@zwave-js/core";
import {
	DoorLockMode,
	DoorLockOperationType,
	RateType,
	SwitchType,
	ThermostatMode,
	ThermostatSetpointType,
} from "zwave-js";

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
export const MAX_NODE_ID = 232;
export const MAX_NODES = MAX_NODE_ID - CONTROLLER_NODE_ID;

// A metering plug of another maker, which no quirk supports: the HANK plug's capabilities under
// ids that no device file of zwave-js knows (so zwave-js and its clients treat it generically)
export const FOREIGN_PLUG_IDS = { manufacturerId: 0x0086, productType: 0x7f01, productId: 0x7f02 };

/**
 * Fresh device definitions (capabilities + initial device state) of `count` nodes: one of each
 * shipped device (baseDefinitions, node ids 2..SHIPPED_NODES+1, as described in README.md), then
 * copies of them in turn, with the next node ids up to count+1; fewer than SHIPPED_NODES are the
 * first `count` shipped devices (a test's network stays the same when a device is added). Each Z-HAN2 copy gets its own
 * meter id. With `foreignPlug`, the last of the `count` nodes is a plug no quirk supports
 * (FOREIGN_PLUG_IDS). With `others`, that many nodes that no quirk supports follow, with node
 * ids count+2.. (see createOtherDefinitions).
 */
export function createDeviceDefinitions(count = SHIPPED_NODES, { foreignPlug = false, others = 0 } = {}) {
	checkNodeCounts(count, others);
	return [...supportedDefinitions(count, foreignPlug), ...createOtherDefinitions(others, count + 2)];
}

/** Throws unless `count` supported nodes and `others` other nodes fit into one network */
export function checkNodeCounts(count, others = 0) {
	if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
		throw new Error(`the number of nodes must be an integer 1..${MAX_NODES}: ${count}`);
	}
	if (!Number.isInteger(others) || others < 0) {
		throw new Error(`the number of other nodes must be an integer >= 0: ${others}`);
	}
	if (count + others > MAX_NODES) {
		throw new Error(
			`${count} nodes and ${others} other nodes are ${count + others}, more than the ${MAX_NODES} a `
				+ `network holds (node ids ${CONTROLLER_NODE_ID + 1}..${MAX_NODE_ID}; node ${CONTROLLER_NODE_ID} is the `
				+ `controller): at most ${Math.max(0, MAX_NODES - count)} others with ${count} nodes`,
		);
	}
}

function supportedDefinitions(count, foreignPlug) {
	if (foreignPlug) {
		if (count < 2) throw new Error("a foreign plug needs --nodes 2 or more");
		const defs = supportedDefinitions(count - 1, false);
		const plug = baseDefinitions()[0];
		plug.id = count + 1;
		plug.name = "Foreign metering plug";
		Object.assign(plug.capabilities, FOREIGN_PLUG_IDS);
		return [...defs, plug];
	}
	const base = baseDefinitions();
	base.forEach((def, i) => {
		if (def.id !== i + 2) throw new Error(`shipped device ${def.name}: node id ${def.id}, not ${i + 2}`);
	});
	const defs = base.slice(0, count);
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

/** One of each shipped device, node ids 2.. in order (a new device takes the next id) */
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

// ---------------------------------------------------------------------------
// Other nodes (--others): devices that no quirk of the integration supports, of the kinds a
// real home has. Capabilities only: zwave-js's default mock behaviours answer their interview
// and commands (main.js adds a passive command log and the Notification Get answer that
// zwave-js's mock lacks). Their ids are made up (manufacturer 0x7f00 + the kind's index):
// no device file of zwave-js and no quirk knows them. All are mains powered (listening),
// without security, Wake Up or Battery CC.

const OTHER_INFO_CCS = [
	{ ccId: CommandClasses.Version, version: 3 },
	{ ccId: CommandClasses["Manufacturer Specific"], version: 1 },
	{ ccId: CommandClasses["Z-Wave Plus Info"], version: 2 },
];

// Multilevel Sensor types and scales
const AIR_TEMPERATURE = 0x01; // scale 0: °C
const ILLUMINANCE = 0x03; // scale 1: lux
const HUMIDITY = 0x05; // scale 0: %
// Notification types and their events
const HOME_SECURITY = 0x07; // 3: tampering (cover removed), 8: motion detection
const ACCESS_CONTROL = 0x06; // 1-6: manual/RF/keypad (un)lock, 11: lock jammed
// Binary Sensor type
const BINARY_MOTION = 0x0c;

/**
 * The kinds of other nodes, in the order --others cycles through them. `state`: the device
 * state of the simulator (temperature: the air temperature the node reports, see
 * POST /nodes/{id}/temperature; meters: see POST /nodes/{id}/meter and the load generator);
 * `readings`: fixed values of its other sensors.
 */
export const OTHER_KINDS = [
	{
		kind: "thermostat",
		name: "Thermostat",
		ids: { manufacturerId: 0x7f00, productType: 0x0001, productId: 0x0101 },
		firmwareVersion: "2.1",
		genericDeviceClass: 0x08, // Thermostat
		specificDeviceClass: 0x06, // General Thermostat V2
		commandClasses: [
			{
				ccId: CommandClasses["Thermostat Mode"],
				version: 3,
				supportedModes: [ThermostatMode.Off, ThermostatMode.Heat, ThermostatMode.Cool, ThermostatMode.Auto],
			},
			{
				ccId: CommandClasses["Thermostat Setpoint"],
				version: 3,
				setpoints: {
					[ThermostatSetpointType.Heating]: { minValue: 5, maxValue: 30, defaultValue: 21, scale: "°C" },
					[ThermostatSetpointType.Cooling]: { minValue: 16, maxValue: 32, defaultValue: 25, scale: "°C" },
				},
			},
			{ ccId: CommandClasses["Multilevel Sensor"], version: 11, sensors: { [AIR_TEMPERATURE]: { supportedScales: [0] } } },
		],
		state: { temperature: 20.5 },
	},
	{
		kind: "multisensor",
		name: "Multisensor",
		ids: { manufacturerId: 0x7f01, productType: 0x0002, productId: 0x0201 },
		firmwareVersion: "1.4",
		genericDeviceClass: 0x21, // Multilevel Sensor
		specificDeviceClass: 0x01, // Routing Multilevel Sensor
		commandClasses: [
			{
				ccId: CommandClasses["Multilevel Sensor"],
				version: 11,
				sensors: {
					[AIR_TEMPERATURE]: { supportedScales: [0] },
					[ILLUMINANCE]: { supportedScales: [1] },
					[HUMIDITY]: { supportedScales: [0] },
				},
			},
			{
				ccId: CommandClasses.Notification,
				version: 8,
				supportsV1Alarm: false,
				notificationTypesAndEvents: { [HOME_SECURITY]: [3, 8] },
			},
			{ ccId: CommandClasses["Binary Sensor"], version: 2, supportedSensorTypes: [BINARY_MOTION] },
		],
		state: { temperature: 21.0 },
		readings: { [ILLUMINANCE]: 120, [HUMIDITY]: 45 },
	},
	{
		kind: "dimmer",
		name: "Dimmer",
		ids: { manufacturerId: 0x7f02, productType: 0x0003, productId: 0x0301 },
		firmwareVersion: "3.0",
		genericDeviceClass: 0x11, // Multilevel Switch
		specificDeviceClass: 0x01, // Power Switch Multilevel
		commandClasses: [
			{ ccId: CommandClasses["Multilevel Switch"], version: 4, primarySwitchType: SwitchType["Down/Up"], defaultValue: 0 },
			{
				ccId: CommandClasses.Meter,
				version: 3,
				meterType: 0x01,
				supportedScales: [METER_SCALES.kWh, METER_SCALES.W],
				supportedRateTypes: [], // none in a v3 Supported Report
				supportsReset: true,
			},
		],
		state: { meters: { kWh: 3.21, W: 0 } },
	},
	{
		kind: "metering-plug",
		name: "Metering plug of another maker",
		ids: { manufacturerId: 0x7f03, productType: 0x0004, productId: 0x0401 },
		firmwareVersion: "1.2",
		genericDeviceClass: 0x10, // Binary Switch
		specificDeviceClass: 0x01, // Power Switch Binary
		commandClasses: [
			{ ccId: CommandClasses["Binary Switch"], version: 2 },
			{
				ccId: CommandClasses.Meter,
				version: 4,
				meterType: 0x01,
				supportedScales: [METER_SCALES.kWh, METER_SCALES.W, METER_SCALES.V, METER_SCALES.A],
				supportedRateTypes: [RateType.Consumed],
				supportsReset: true,
			},
			// version 4: zwave-js learns the parameters from the device (no device file
			// knows these ids), as the user's quirk file in docs/user-quirks.md declares them
			{
				ccId: CommandClasses.Configuration,
				version: 4,
				bulkSupport: false,
				parameters: [
					{ "#": 1, valueSize: 1, name: "LED mode", format: U, minValue: 0, maxValue: 2, defaultValue: 1 },
					{ "#": 2, valueSize: 2, name: "Power report threshold", format: U, minValue: 0, maxValue: 2500, defaultValue: 50 },
				],
			},
		],
		state: { meters: { kWh: 7.5, W: 0, V: 229.8, A: 0 } },
	},
	{
		kind: "lock",
		name: "Door lock",
		ids: { manufacturerId: 0x7f04, productType: 0x0005, productId: 0x0501 },
		firmwareVersion: "1.1",
		genericDeviceClass: 0x40, // Entry Control
		specificDeviceClass: 0x01, // Door Lock
		commandClasses: [
			{
				ccId: CommandClasses["Door Lock"],
				version: 4,
				supportedOperationTypes: [DoorLockOperationType.Constant],
				supportedDoorLockModes: [DoorLockMode.Unsecured, DoorLockMode.Secured],
				doorSupported: true,
				boltSupported: true,
				latchSupported: true,
			},
			{
				ccId: CommandClasses.Notification,
				version: 8,
				supportsV1Alarm: false,
				notificationTypesAndEvents: { [ACCESS_CONTROL]: [1, 2, 3, 4, 5, 6, 11] },
			},
		],
		state: {},
	},
];

/**
 * Definitions of `count` other nodes with node ids firstId.., cycling through OTHER_KINDS.
 * Their device state is minimal (no switch, no parameters); `mock` keeps what zwave-js's mock
 * behaviours store (thermostat mode, setpoints, dimmer level, lock mode, ...) across restarts.
 */
export function createOtherDefinitions(count, firstId) {
	const defs = [];
	for (let i = 0; i < count; i++) {
		const id = firstId + i;
		if (id > MAX_NODE_ID) throw new Error(`node id ${id} is more than ${MAX_NODE_ID}`);
		defs.push(otherDefinition(OTHER_KINDS[i % OTHER_KINDS.length], id));
	}
	return defs;
}

function otherDefinition(k, id) {
	return {
		id,
		name: `${k.name} (other)`,
		kind: k.kind,
		other: true,
		capabilities: {
			...k.ids,
			firmwareVersion: k.firmwareVersion,
			genericDeviceClass: k.genericDeviceClass,
			specificDeviceClass: k.specificDeviceClass,
			commandClasses: [...structuredClone(k.commandClasses), ...structuredClone(OTHER_INFO_CCS)],
		},
		params: [],
		groups: {},
		readings: { ...k.readings },
		state: {
			switch: null,
			config: {},
			meters: {},
			temperature: null,
			...structuredClone(k.state),
			mock: {},
		},
	};
}

// ---------------------------------------------------------------------------
// Nodes that join while the simulator runs (POST /inclusion): "hank", a copy of the HANK plug
// (node 2's capabilities, the project's behaviours), or one of the other kinds

export const INCLUSION_KINDS = ["hank", ...OTHER_KINDS.map((k) => k.kind)];

/** The definition of a node of an inclusion kind with node id `id`; `included` names the kind */
export function createIncludedDefinition(kind, id) {
	if (!Number.isInteger(id) || id <= CONTROLLER_NODE_ID || id > MAX_NODE_ID) {
		throw new Error(`node id ${id} is not one of ${CONTROLLER_NODE_ID + 1}..${MAX_NODE_ID}`);
	}
	let def;
	if (kind === "hank") {
		def = baseDefinitions()[0];
		def.id = id;
		def.name = `${def.name} (included)`;
	} else {
		const k = OTHER_KINDS.find((o) => o.kind === kind);
		if (!k) {
			throw new Error(`unknown kind ${JSON.stringify(kind)}: "kind" must be one of ${INCLUSION_KINDS.join(", ")}`);
		}
		def = otherDefinition(k, id);
		def.name = `${k.name} (other, included)`;
	}
	def.included = kind;
	return def;
}

/**
 * An other node's capabilities with the values its sensors and meters report taken from the
 * device state at the time (`dev.state` may be replaced: it is read on every report), and
 * Meter Resets applied to it
 */
export function liveCapabilities(dev) {
	const caps = dev.capabilities;
	const commandClasses = caps.commandClasses.map((cc) => {
		switch (cc.ccId) {
			case CommandClasses.Meter:
				return {
					...cc,
					getValue: (scale) => dev.state.meters[METER_SCALE_NAMES[scale]] ?? 0,
					// a Meter Reset zeroes the totals (kWh)
					onReset: () => {
						for (const k of ACCUMULATED_SCALES) if (k in dev.state.meters) dev.state.meters[k] = 0;
						dev.changed?.();
					},
				};
			case CommandClasses["Multilevel Sensor"]:
				return {
					...cc,
					getValue: (type) => (type === AIR_TEMPERATURE ? dev.state.temperature : dev.readings[type]) ?? 0,
				};
			default:
				return cc;
		}
	});
	return { ...caps, commandClasses };
}

// how many shipped devices the network has at least: nodes 2..SHIPPED_NODES+1
export const SHIPPED_NODES = baseDefinitions().length;
