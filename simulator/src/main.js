#!/usr/bin/env node
// Simulated Z-Wave network: mock controller + mock nodes driven by a real zwave-js driver,
// served by a real Z-Wave JS server (no mDNS), plus a small HTTP control API. Loopback only.
//
// Usage: node simulator/src/main.js --ws-port N --control-port M --cache-dir DIR [--log-level info]
//        [--nodes N] [--others 0] [--tx-delay MS] [--foreign-plug]
// (--nodes: default one of each shipped device, devices.js's SHIPPED_NODES)
// Prints exactly one line to stdout when everything is ready:
//   ZWAVE_SIM_READY {"wsPort":N,"controlPort":M,"homeId":H,"nodes":[2,3,4],"others":[],"included":[],"shipped":3}
// ("nodes": every node id; "others": the ids of the --others nodes, which no quirk supports;
// "included": nodes that joined in an earlier run with this cache, POST /inclusion;
// "shipped": how many shipped devices there are, nodes 2.. of the default network)
// Everything else (including the driver log) goes to stderr.

// Keep stdout for the READY line only: everything written to stdout goes to stderr instead.
const realStdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, encoding, cb) => process.stderr.write(chunk, encoding, cb);

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ZwavejsServer } from "@zwave-js/server";
import { CommandClasses, ZWaveError, ZWaveErrorCodes } from "@zwave-js/core";
import { MockController, MockNode, getDefaultSupportedFunctionTypes } from "@zwave-js/testing";
import {
	createAndStartDriverWithMockPort,
	createDefaultMockControllerBehaviors,
	createDefaultMockNodeBehaviors,
} from "zwave-js/Testing";
import { NotificationCCGet, NotificationCCReport } from "zwave-js";
import {
	RemoveFailedNodeRequest,
	RemoveFailedNodeRequestStatusReport,
	RemoveFailedNodeResponse,
} from "@zwave-js/serial/serialapi";
import { commandName, createBehaviors } from "./behaviors.js";
import { startControlServer } from "./control.js";
import { createLoad } from "./load.js";
import {
	CONTROLLER_NODE_ID,
	DEFAULT_EXPORT_RATE_TYPE,
	EXPORT_RATE_TYPES,
	HOME_ID,
	INCLUSION_KINDS,
	MAX_NODE_ID,
	PLUG_POWER_ON_W,
	SHIPPED_NODES,
	STATE_VERSION,
	checkNodeCounts,
	createDeviceDefinitions,
	createIncludedDefinition,
	liveCapabilities,
	migrateSavedState,
} from "./devices.js";

const log = (...a) => process.stderr.write(`[sim] ${a.join(" ")}\n`);

function parseCli() {
	const { values: given } = parseArgs({
		options: {
			"ws-port": { type: "string" },
			"control-port": { type: "string" },
			"cache-dir": { type: "string" },
			"log-level": { type: "string", default: "info" },
			nodes: { type: "string" },
			others: { type: "string", default: "0" },
			"tx-delay": { type: "string" },
			"foreign-plug": { type: "boolean", default: false },
		},
		strict: true,
	});
	const explicitNodes = given.nodes !== undefined;
	const values = { ...given, nodes: given.nodes ?? String(SHIPPED_NODES) };
	const wsPort = Number(values["ws-port"]);
	const controlPort = Number(values["control-port"]);
	if (!Number.isInteger(wsPort) || wsPort <= 0 || !Number.isInteger(controlPort) || controlPort <= 0) {
		throw new Error("--ws-port and --control-port must be positive integers");
	}
	if (!values["cache-dir"]) throw new Error("--cache-dir is required");
	const nodes = Number(values.nodes);
	const others = Number(values.others);
	// the foreign plug replaces the last of the --nodes nodes: never a shipped device unasked
	if (values["foreign-plug"] && !explicitNodes) throw new Error("--foreign-plug needs --nodes");
	try {
		checkNodeCounts(nodes, others);
	} catch (e) {
		throw new Error(`--nodes ${values.nodes} --others ${values.others}: ${e.message}`);
	}
	// The mock radio carries one frame at a time, each taking txDelay ms (zwave-js's default: 10)
	const txDelay = values["tx-delay"] === undefined ? undefined : Number(values["tx-delay"]);
	if (txDelay !== undefined && !(Number.isInteger(txDelay) && txDelay >= 0)) {
		throw new Error("--tx-delay must be an integer >= 0 (ms)");
	}
	return {
		wsPort,
		controlPort,
		cacheDir: path.resolve(values["cache-dir"]),
		logLevel: values["log-level"],
		nodes,
		others,
		txDelay,
		foreignPlug: values["foreign-plug"],
	};
}

// ---------------------------------------------------------------------------
// Device state persistence (the devices keep their state across restarts, like real ones)

function loadSavedState(file) {
	try {
		return JSON.parse(fs.readFileSync(file, "utf8"));
	} catch {
		return {};
	}
}

/** JSON values that a mock node's state may keep across restarts (no timers, no buffers) */
function isPlainValue(v) {
	if (v === null || ["number", "string", "boolean"].includes(typeof v)) return true;
	return Array.isArray(v) && v.every((x) => x === null || ["number", "string", "boolean"].includes(typeof x));
}

/** Did this saved entry belong to a node of the same kind (node ids change kinds with --others)? */
function sameKind(def, s) {
	// files of simulators before --others carry no kind: supported nodes only
	return s.kind === undefined ? !def.other : s.kind === def.kind;
}

/**
 * The devices (definitions + saved state) by node id, and what saves their state. Nodes that
 * joined in an earlier run (POST /inclusion; saved with `included`: their inclusion kind) are
 * back, unless a defined node has their id now. `addDevice(def)`: a device for a node about to
 * join (its state is saved once it has joined, i.e. has a mock node).
 */
function makeDevices(stateFile, { count, foreignPlug, others }) {
	const saved = loadSavedState(stateFile);
	const devices = new Map();
	let saveTimer;
	const saveNow = () => {
		const out = { _version: STATE_VERSION };
		for (const d of devices.values()) {
			if (!d.mockNode) continue; // pending inclusion: not on the network (yet)
			out[d.id] = { kind: d.kind, state: d.state, assoc: d.assoc };
			if (d.included) out[d.id].included = d.included;
		}
		try {
			fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify(out, null, 1));
			fs.renameSync(`${stateFile}.tmp`, stateFile);
		} catch (e) {
			log(`could not save device state: ${e.message}`);
		}
	};
	// Files without a version were written by version 1 of the simulator
	const savedVersion = Number.isInteger(saved?._version) ? saved._version : 1;
	const addDevice = (def, s) => {
		if (s?.state) migrateSavedState(def, s.state, savedVersion);
		const dev = {
			...def,
			assoc: s?.assoc ?? {},
			received: [],
			mockNode: undefined,
		};
		if (s?.state) {
			dev.state = {
				...def.state,
				...s.state,
				config: { ...def.state.config, ...s.state.config },
				meters: { ...def.state.meters, ...s.state.meters },
			};
			if ("exportRateType" in def.state && !EXPORT_RATE_TYPES.includes(dev.state.exportRateType)) {
				dev.state.exportRateType = DEFAULT_EXPORT_RATE_TYPE;
			}
			if (def.other) {
				const mock = dev.state.mock;
				dev.state.mock = mock && typeof mock === "object" && !Array.isArray(mock) ? { ...mock } : {};
			}
		}
		dev.changed = () => {
			clearTimeout(saveTimer);
			saveTimer = setTimeout(saveNow, 200);
		};
		dev.setSwitch = (on) => {
			dev.state.switch = on;
			if (dev.kind === "plug") dev.state.meters.W = on ? PLUG_POWER_ON_W : 0;
			dev.changed();
		};
		devices.set(def.id, dev);
		return dev;
	};
	for (const def of createDeviceDefinitions(count, { foreignPlug, others })) {
		// an included node's entry is not for a defined node that now has its id
		const s = saved[def.id] && !saved[def.id].included && sameKind(def, saved[def.id]) ? saved[def.id] : undefined;
		addDevice(def, s);
	}
	// saved entries come in the order of their node ids
	for (const [key, s] of Object.entries(saved)) {
		const id = Number(key);
		if (!Number.isInteger(id) || devices.has(id) || !s || typeof s.included !== "string") continue;
		let def;
		try {
			def = createIncludedDefinition(s.included, id);
		} catch (e) {
			log(`saved node ${key} (included) is not restored: ${e.message}`);
			continue;
		}
		addDevice(def, sameKind(def, s) ? s : undefined);
	}
	return { devices, saveNow, addDevice: (def) => addDevice(def, undefined) };
}

/**
 * What the project adds to a mock node that has zwave-js's default behaviours: the supported
 * devices' behaviours (behaviors.js), or the other nodes' few (otherBehaviors) and their
 * persisted mock state
 */
function defineDeviceBehaviors(dev, node) {
	if (dev.other) {
		// zwave-js's defaults only (see otherBehaviors): the project's behaviours model the
		// supported devices
		node.defineBehavior(...otherBehaviors(dev));
		persistMockState(dev, node);
	} else {
		node.defineBehavior(...createBehaviors(dev));
	}
	dev.mockNode = node;
}

// What the mock controller's inclusion needs (the values of @zwave-js/serial's FunctionType,
// AddNodeType and zwave-js's MockControllerInclusionState, none of which zwave-js exports)
const FUNC_ADD_NODE_TO_NETWORK = 0x4a;
const ADD_NODE_STOP = 5;
const MOCK_INCLUSION_STATE = "inclusionState"; // idle: 0 (or not set yet)

/**
 * zwave-js 15.29's mock controller takes the second Stop the driver sends after an inclusion
 * (the recommended one without a callback, Controller.stopInclusionNoCallback) for the start of
 * an inclusion while it is idle: it would then stay in "adding node" and fail every later
 * inclusion. While idle, such a Stop has nothing to stop (the mock has ACKed it already).
 */
function inclusionFixes() {
	const stopWhileIdle = {
		async onHostMessage(controller, msg) {
			return msg.functionType === FUNC_ADD_NODE_TO_NETWORK
				&& msg.addNodeType === ADD_NODE_STOP
				&& msg.callbackId === 0
				&& !controller.state.get(MOCK_INCLUSION_STATE);
		},
	};
	return [stopWhileIdle];
}

// FunctionType.RemoveFailedNode, RemoveFailedNodeStartFlags and RemoveFailedNodeStatus of
// @zwave-js/serial
const FUNC_REMOVE_FAILED_NODE = 0x61;
const REMOVE_FAILED_STARTED = 0;
const REMOVE_FAILED_NODE_NOT_FOUND = 0x08;
const REMOVE_FAILED_NODE_REMOVED = 1;

/**
 * A node that fails, and its removal as a failed node (zwave-js 15.29's mock controller has no
 * RemoveFailedNode). `fail(id)`: the node stops acknowledging frames, as a node that is gone
 * (unplugged, broken), so zwave-js's pings fail. A client's controller.remove_failed_node then
 * pings it, asks the controller to remove it (this behaviour: started, then removed, as a real
 * controller answers for a failed node), and the driver emits "node removed" (reason
 * RemoveFailed), which the server sends to every client. The node is gone until the
 * simulator starts again (a --nodes or --others node is then back, as a new device would be).
 */
function createRemoval({ mockController, devices, log }) {
	const failed = new Set();
	const behavior = {
		async onHostMessage(controller, msg) {
			if (!(msg instanceof RemoveFailedNodeRequest)) return false;
			const id = msg.failedNodeId;
			const node = controller.nodes.get(id);
			const ok = node !== undefined && failed.has(id);
			const response = new RemoveFailedNodeResponse({
				removeStatus: ok ? REMOVE_FAILED_STARTED : REMOVE_FAILED_NODE_NOT_FOUND,
			});
			response.payload = Uint8Array.from([response.removeStatus]);
			await controller.sendMessageToHost(response);
			if (!ok) return true;
			controller.removeNode(node);
			failed.delete(id);
			const dev = devices.get(id);
			devices.delete(id);
			dev?.changed?.(); // saved without it
			log(`node ${id} was removed as a failed node`);
			const report = new RemoveFailedNodeRequestStatusReport({
				callbackId: msg.callbackId,
				removeStatus: REMOVE_FAILED_NODE_REMOVED,
			});
			report.payload = Uint8Array.from([msg.callbackId, REMOVE_FAILED_NODE_REMOVED]);
			await controller.sendMessageToHost(report);
			return true;
		},
	};
	mockController.defineBehavior(behavior);
	return {
		fail(id) {
			const dev = devices.get(id);
			if (!dev?.mockNode) throw new Error(`node ${id} is not on the network`);
			dev.mockNode.autoAckControllerFrames = false;
			failed.add(id);
			log(`node ${id} fails: it no longer acknowledges frames`);
			return { nodeId: id };
		},
		/** The node acknowledges frames again (it is back before anyone removed it) */
		revive(id) {
			const dev = devices.get(id);
			if (!dev?.mockNode || !failed.has(id)) throw new Error(`node ${id} does not fail`);
			dev.mockNode.autoAckControllerFrames = true;
			failed.delete(id);
			log(`node ${id} is back: it acknowledges frames again`);
			return { nodeId: id };
		},
		status: () => ({ failed: [...failed] }),
	};
}

/**
 * Z-Wave inclusion of a new node while the simulator runs. `prepare(kind)` registers the device
 * with the next free node id and sets it as the mock controller's node pending inclusion: the
 * next inclusion a client starts (controller.begin_inclusion) adds it, with zwave-js's default
 * behaviours and the project's (defineDeviceBehaviors). One node at a time.
 */
function createInclusion({ mockController, devices, addDevice, mockCapabilities }) {
	let pending; // { dev, since }: registered, not on the network yet
	const status = () => (pending
		? { nodeId: pending.dev.id, kind: pending.dev.included, since: pending.since }
		: null);
	return {
		status,
		prepare(kind) {
			if (pending) {
				throw new Error(`node ${pending.dev.id} (${pending.dev.included}) is pending inclusion already: include it first`);
			}
			if (mockController.nodePendingInclusion) {
				// it joined; the controller has not ended the inclusion yet
				throw new Error(`node ${mockController.nodePendingInclusion.id} is joining: try again when its inclusion has ended`);
			}
			if (typeof kind !== "string" || !INCLUSION_KINDS.includes(kind)) {
				throw new Error(`unknown kind ${JSON.stringify(kind)}: "kind" must be one of ${INCLUSION_KINDS.join(", ")}`);
			}
			const highest = Math.max(
				CONTROLLER_NODE_ID,
				...devices.keys(),
				...mockController.nodes.keys(),
			);
			if (highest >= MAX_NODE_ID) {
				throw new Error(`the network is full: node ${highest} exists, and Z-Wave node ids end at ${MAX_NODE_ID}`);
			}
			const dev = addDevice(createIncludedDefinition(kind, highest + 1));
			pending = { dev, since: new Date().toISOString() };
			const capabilities = dev.other ? liveCapabilities(dev) : dev.capabilities;
			mockController.nodePendingInclusion = {
				id: dev.id,
				capabilities: mockCapabilities(capabilities),
				// called when a client's inclusion adds the node (after zwave-js's default behaviours)
				setup: (node) => {
					defineDeviceBehaviors(dev, node);
					if (pending?.dev === dev) pending = undefined;
					log(`node ${dev.id} (${kind}) joins the network`);
					dev.changed();
				},
			};
			log(`node ${dev.id} (${kind}) is pending inclusion`);
			return { nodeId: dev.id };
		},
		/** Withdraws the node pending inclusion (if no inclusion has added it yet) */
		cancel() {
			if (!pending) throw new Error("no node is pending inclusion");
			const { dev } = pending;
			pending = undefined;
			if (mockController.nodePendingInclusion?.id === dev.id) mockController.nodePendingInclusion = undefined;
			devices.delete(dev.id);
			log(`node ${dev.id} (${dev.included}) is no longer pending inclusion`);
			return { nodeId: dev.id };
		},
	};
}

/**
 * What the other nodes have on top of zwave-js's default mock behaviours: a passive log of the
 * commands they receive (GET /nodes/{id}/received), and answers to Notification Get, for which
 * zwave-js's mock has no behaviour (the interview of a Notification CC in pull mode, i.e.
 * without Association CC, asks for each notification type and would wait for a timeout).
 */
function otherBehaviors(dev) {
	const recorder = {
		handleCC(controller, self, cc) {
			const entry = { cc: CommandClasses[cc.ccId] ?? `0x${cc.ccId.toString(16)}`, command: commandName(cc) };
			for (const key of ["targetValue", "mode", "value", "setpointType"]) {
				if (isPlainValue(cc[key]) && cc[key] !== null) entry[key] = cc[key];
			}
			// a configuration parameter's number, as the supported nodes' log has it
			if (typeof cc.parameter === "number") entry.param = cc.parameter;
			entry.time = new Date().toISOString();
			dev.received.push(entry);
			if (dev.received.length > 1000) dev.received.splice(0, dev.received.length - 1000);
			return undefined;
		},
	};
	const notificationGet = {
		handleCC(controller, self, cc) {
			if (!(cc instanceof NotificationCCGet)) return;
			const events = self.getCCCapabilities(CommandClasses.Notification, cc.endpointIndex)?.notificationTypesAndEvents ?? {};
			const type = cc.notificationType ?? Number(Object.keys(events)[0]);
			if (!(type in events)) return { action: "stop" };
			// nothing going on: the type's idle event (0)
			return {
				action: "sendCC",
				cc: new NotificationCCReport({ nodeId: controller.ownNodeId, notificationType: type, notificationEvent: 0 }),
			};
		},
	};
	return [recorder, notificationGet];
}

/**
 * An other node's mock state (what zwave-js's default behaviours store: thermostat mode and
 * setpoints, dimmer level, binary switch, lock mode, ...) comes from and goes to its device
 * state (`mock`), so that it survives restarts like the supported nodes' state does
 */
function persistMockState(dev, node) {
	for (const [key, value] of Object.entries(dev.state.mock)) node.state.set(key, value);
	const set = node.state.set.bind(node.state);
	node.state.set = (key, value) => {
		set(key, value);
		if (isPlainValue(value)) dev.state.mock[key] = value;
		else delete dev.state.mock[key];
		dev.changed();
		return node.state;
	};
}

// ---------------------------------------------------------------------------

async function main() {
	const opts = parseCli();
	fs.mkdirSync(opts.cacheDir, { recursive: true });
	const { devices, saveNow, addDevice } = makeDevices(path.join(opts.cacheDir, "simulator-devices.json"), {
		count: opts.nodes,
		foreignPlug: opts.foreignPlug,
		others: opts.others,
	});

	const t0 = Date.now();
	const { driver, mockPort, serial, continueStartup } = await createAndStartDriverWithMockPort({
		logConfig: { enabled: true, level: opts.logLevel, forceConsole: true },
		storage: {
			cacheDir: opts.cacheDir,
			lockDir: path.join(opts.cacheDir, "locks"),
			// every change written at once ("normal" writes at most once a second): a test
			// that kills the simulator never takes values the interview read with it
			throttle: "fast",
		},
		// Like the real zwave-js-server: multi-client value updates
		emitValueUpdateAfterSetValue: true,
		// No bootloader/CLI detection: saves time, the mock is always a Serial API controller
		testingHooks: { skipFirmwareIdentification: true },
		userAgent: { "zwave-quirks-simulator": "0.1.0" },
	});

	// Nothing may leave loopback: neutralise everything that talks to the internet.
	driver.compileAndSendStatistics = async () => {};
	driver.checkForConfigUpdates = async () => undefined;
	driver.installConfigUpdate = async () => false;

	const mockController = await MockController.create({
		homeId: HOME_ID,
		ownNodeId: CONTROLLER_NODE_ID,
		mockPort,
		serial,
		// a real controller removes failed nodes (createRemoval)
		capabilities: {
			supportedFunctionTypes: [...getDefaultSupportedFunctionTypes(), FUNC_REMOVE_FAILED_NODE],
		},
	});
	mockController.defineBehavior(...createDefaultMockControllerBehaviors());
	// behaviours defined later are consulted first
	mockController.defineBehavior(...inclusionFixes());

	const mockCapabilities = (capabilities) =>
		opts.txDelay === undefined ? capabilities : { ...capabilities, txDelay: opts.txDelay };
	for (const dev of devices.values()) {
		const capabilities = dev.other ? liveCapabilities(dev) : dev.capabilities;
		const node = await MockNode.create({
			id: dev.id,
			controller: mockController,
			capabilities: mockCapabilities(capabilities),
		});
		mockController.addNode(node);
		node.defineBehavior(...createDefaultMockNodeBehaviors());
		defineDeviceBehaviors(dev, node);
	}
	// the --nodes and --others nodes; nodes included in an earlier run are neither
	const supportedIds = [...devices.values()].filter((d) => !d.other && !d.included).map((d) => d.id);
	const otherIds = [...devices.values()].filter((d) => d.other && !d.included).map((d) => d.id);
	const includedIds = [...devices.values()].filter((d) => d.included).map((d) => d.id);
	if (otherIds.length) {
		const kinds = {};
		for (const id of otherIds) kinds[devices.get(id).kind] = (kinds[devices.get(id).kind] ?? 0) + 1;
		log(`${supportedIds.length} nodes and ${otherIds.length} other nodes (${JSON.stringify(kinds)})`);
	}
	if (includedIds.length) {
		log(`nodes included in an earlier run: ${includedIds.map((id) => `${id} (${devices.get(id).included})`).join(", ")}`);
	}
	const inclusion = createInclusion({ mockController, devices, addDevice, mockCapabilities });
	const removal = createRemoval({ mockController, devices, log });

	const driverReady = new Promise((resolve) => driver.once("driver ready", resolve));
	const allNodesReady = new Promise((resolve) => driver.once("all nodes ready", resolve));
	driver.on("error", (e) => log(`driver error: ${e?.stack ?? e}`));
	continueStartup();
	await driverReady;
	log(`driver ready after ${Date.now() - t0} ms`);

	// as zwave-js offline: the update service's request fails with a ZWaveError, which the
	// server reports as a zwave_error (core's zwave_js logs it and tries again a day later)
	const noInternet = async () => {
		throw new ZWaveError(
			"Firmware update service is not available in the simulator",
			ZWaveErrorCodes.FWUpdateService_RequestError,
		);
	};
	driver.controller.getAvailableFirmwareUpdates = noInternet;
	driver.controller.getAllAvailableFirmwareUpdates = noInternet;
	driver.controller.firmwareUpdateOTA = noInternet;

	await allNodesReady;
	const elapsed = Date.now() - t0;
	log(`all nodes ready after ${elapsed} ms`);

	// --- Z-Wave JS server (WebSocket), restartable -------------------------------------------
	const serverLogger = {
		error: (m, e) => log(`server error: ${m}${e ? ` ${e}` : ""}`),
		warn: (m) => log(`server warn: ${m}`),
		info: (m) => log(`server: ${m}`),
		debug: () => {},
	};
	let server;
	const ws = {
		get running() {
			return !!server;
		},
		async start() {
			if (server) return;
			const s = new ZwavejsServer(driver, {
				port: opts.wsPort,
				host: "127.0.0.1",
				logger: serverLogger,
				enableDNSServiceDiscovery: false,
			});
			s.on("error", (e) => log(`server error event: ${e}`));
			await s.start(true);
			server = s;
		},
		async stop() {
			if (!server) return;
			const s = server;
			server = undefined;
			const wss = s.wsServer;
			const http = s.server;
			// Force-close clients that do not answer the close handshake quickly
			const killer = setTimeout(() => {
				for (const c of wss?.clients ?? []) c.terminate();
				http?.closeAllConnections?.();
			}, 1000);
			try {
				await s.destroy();
			} finally {
				clearTimeout(killer);
			}
		},
	};
	await ws.start();

	// The load generator's "all" is the --nodes nodes (not the others); a list of ids may name
	// other nodes with a Meter CC too (dimmers, other makers' plugs). load.js only uses keys()
	// and get().
	// A node pending inclusion is not on the network yet: unknown to the load generator.
	const loadDevices = {
		keys: () => supportedIds.values(),
		get: (id) => (devices.get(id)?.mockNode ? devices.get(id) : undefined),
	};
	const load = createLoad({ devices: loadDevices, controllerNodeId: CONTROLLER_NODE_ID, ws, log });
	const control = await startControlServer({
		port: opts.controlPort,
		driver,
		devices,
		ws,
		load,
		inclusion,
		removal,
		homeId: HOME_ID,
		wsPort: opts.wsPort,
		controllerNodeId: CONTROLLER_NODE_ID,
		log,
	});

	// --- shutdown ---------------------------------------------------------------------------
	let stopping = false;
	const shutdown = async (reason, code = 0) => {
		if (stopping) return;
		stopping = true;
		log(`shutting down (${reason})`);
		const hard = setTimeout(() => process.exit(code || 1), 10000);
		hard.unref();
		try {
			load.stop(true);
			saveNow();
			control.close();
			control.closeAllConnections?.();
			await ws.stop();
			mockController.destroy();
			await driver.destroy();
		} catch (e) {
			log(`error during shutdown: ${e?.stack ?? e}`);
		}
		process.exit(code);
	};
	process.on("SIGTERM", () => void shutdown("SIGTERM"));
	process.on("SIGINT", () => void shutdown("SIGINT"));
	shutdownHook = shutdown;

	const ready = {
		wsPort: opts.wsPort,
		controlPort: opts.controlPort,
		homeId: HOME_ID,
		nodes: [...devices.keys()],
		others: otherIds,
		included: includedIds,
		shipped: SHIPPED_NODES,
	};
	realStdoutWrite(`ZWAVE_SIM_READY ${JSON.stringify(ready)}\n`);
}

let shutdownHook;
process.on("unhandledRejection", (e) => log(`unhandled rejection: ${e?.stack ?? e}`));
process.on("uncaughtException", (e) => {
	log(`uncaught exception: ${e?.stack ?? e}`);
	if (shutdownHook) void shutdownHook("uncaught exception", 1);
	else process.exit(1);
});

// Exit when the parent goes away (stdin closed), also during startup
const onStdinGone = (why) => {
	if (shutdownHook) void shutdownHook(why);
	else process.exit(0);
};
process.stdin.on("end", () => onStdinGone("stdin closed"));
process.stdin.on("error", () => onStdinGone("stdin error"));
process.stdin.resume();

main().catch((e) => {
	log(`fatal: ${e?.stack ?? e}`);
	process.exit(1);
});
