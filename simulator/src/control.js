// HTTP JSON control API of the simulator (127.0.0.1 only).
import http from "node:http";
import {
	BinarySwitchCCReport,
	MeterCCReport,
	MultilevelSensorCCReport,
	RateType,
	SceneActivationCCSet,
} from "zwave-js";
import { CommandClasses, ConfigValueFormat, encodeFloatWithScale } from "@zwave-js/core";
import { createMockZWaveRequestFrame } from "@zwave-js/testing";
import { defaultRateTypeFor, hasExportRegister } from "./behaviors.js";
import {
	EXPORT_RATE_TYPES,
	EXPORT_SCALE,
	METER_SCALES,
	RATE_TYPE_IDS,
	paramsToMeterSerial,
} from "./devices.js";

class HttpError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}


function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on("data", (c) => {
			size += c.length;
			if (size > 1e6) {
				reject(new HttpError(413, "body too large"));
				req.destroy();
			} else chunks.push(c);
		});
		req.on("end", () => {
			const text = Buffer.concat(chunks).toString("utf8").trim();
			if (!text) return resolve({});
			try {
				const v = JSON.parse(text);
				if (v === null || typeof v !== "object" || Array.isArray(v)) {
					reject(new HttpError(400, "body must be a JSON object"));
				} else resolve(v);
			} catch {
				reject(new HttpError(400, "invalid JSON body"));
			}
		});
		req.on("error", reject);
	});
}

function requireNumber(body, key) {
	const v = body[key];
	if (typeof v !== "number" || !Number.isFinite(v)) throw new HttpError(400, `"${key}" must be a finite number`);
	return v;
}

/** Z-Wave floats have at most 4 bytes and 7 decimals: reject what zwave-js cannot encode */
function requireEncodable(value) {
	try {
		encodeFloatWithScale(value, 0);
	} catch (e) {
		throw new HttpError(400, `value ${value} cannot be encoded: ${e?.message ?? e}`);
	}
	return value;
}

/** Value as the device stores it, or throws if it does not fit into the parameter size */
function normalizeConfigValue(param, value) {
	if (!Number.isInteger(value)) throw new HttpError(400, `"value" must be an integer`);
	const bits = 8 * param.valueSize;
	if (value < -(2 ** (bits - 1)) || value >= 2 ** bits) {
		throw new HttpError(400, `value ${value} does not fit into ${param.valueSize} byte(s)`);
	}
	if (param.format === ConfigValueFormat.UnsignedInteger) {
		return value < 0 ? value + 2 ** bits : value;
	}
	return value >= 2 ** (bits - 1) ? value - 2 ** bits : value;
}

export function startControlServer({ port, driver, devices, ws, load, inclusion, removal, homeId, wsPort, controllerNodeId, log }) {
	const getDev = (idStr) => {
		const dev = devices.get(Number(idStr));
		if (!dev) throw new HttpError(404, `unknown node ${idStr}`);
		if (!dev.mockNode) {
			throw new HttpError(409, `node ${dev.id} is pending inclusion: it is not on the network until a client's inclusion adds it`);
		}
		return dev;
	};
	// what a request asks for that cannot be (plain Errors): 400; other errors are bugs (500)
	const refused = (fn) => {
		try {
			return fn();
		} catch (e) {
			if (e?.constructor === Error) throw new HttpError(400, e.message);
			throw e;
		}
	};
	const send = async (dev, cc) => {
		await dev.mockNode.sendToController(createMockZWaveRequestFrame(cc, { ackRequested: true }));
	};

	const routes = [
		["GET", /^\/status$/, async () => ({
			serverRunning: ws.running,
			homeId,
			wsPort,
			nodes: [...driver.controller.nodes.values()]
				.filter((n) => n.id !== controllerNodeId)
				.map((n) => ({
					nodeId: n.id,
					manufacturerId: n.manufacturerId ?? null,
					productType: n.productType ?? null,
					productId: n.productId ?? null,
					firmwareVersion: n.firmwareVersion ?? null,
					ready: n.ready,
					// zwave-js's NodeStatus: 0 unknown, 1 asleep, 2 awake, 3 dead, 4 alive
					status: n.status,
				})),
		})],
		["POST", /^\/server\/stop$/, async () => {
			await ws.stop();
			return { serverRunning: ws.running };
		}],
		["POST", /^\/server\/start$/, async () => {
			await ws.start();
			return { serverRunning: ws.running };
		}],
		["POST", /^\/load$/, async (m, body) => {
			try {
				return load.start(body);
			} catch (e) {
				throw new HttpError(400, e.message);
			}
		}],
		["GET", /^\/load$/, async () => load.status()],
		// {"kind": "hank" | other kind}: the next inclusion a client starts adds that node
		["POST", /^\/inclusion$/, async (m, body) => refused(() => inclusion.prepare(body.kind))],
		["GET", /^\/inclusion$/, async () => inclusion.status()],
		["POST", /^\/inclusion\/cancel$/, async () => refused(() => inclusion.cancel())],
		["POST", /^\/load\/stop$/, async () => load.stop()],
		// the node stops acknowledging frames: a client can then remove it as a failed node
		["POST", /^\/nodes\/(\d+)\/fail$/, async (m) => refused(() => removal.fail(getDev(m[1]).id))],
		["POST", /^\/nodes\/(\d+)\/revive$/, async (m) => refused(() => removal.revive(getDev(m[1]).id))],
		["GET", /^\/removal$/, async () => removal.status()],
		["GET", /^\/nodes\/(\d+)\/state$/, async (m) => {
			const dev = getDev(m[1]);
			return {
				switch: dev.state.switch,
				config: { ...dev.state.config },
				meters: { ...dev.state.meters },
				// Z-HAN2: rate type of the scale 1 (export) reports; null: no export register
				exportRateType: hasExportRegister(dev) ? dev.state.exportRateType : null,
				// Z-HAN2: the AMS meter id from parameters 9 and 10 (BCD); null: none
				meterSerial: dev.serialParams
					? paramsToMeterSerial(...dev.serialParams.map((n) => dev.state.config[String(n)]))
					: null,
				temperature: dev.state.temperature,
			};
		}],
		["GET", /^\/nodes\/(\d+)\/received$/, async (m, body, url) => {
			const dev = getDev(m[1]);
			// Gets and pings (No Operation) are hidden unless ?all=1, so polling does not
			// disturb a "nothing was sent" assertion
			const all = ["1", "true", "yes"].includes(url.searchParams.get("all") ?? "");
			return dev.received.filter((e) => all || (!e.command.endsWith("Get") && e.cc !== "No Operation"));
		}],
		["POST", /^\/nodes\/(\d+)\/received\/clear$/, async (m) => {
			getDev(m[1]).received.length = 0;
			return { ok: true };
		}],
		["POST", /^\/nodes\/(\d+)\/meter$/, async (m, body) => {
			const dev = getDev(m[1]);
			const caps = dev.mockNode.getCCCapabilities(CommandClasses.Meter);
			if (!caps) throw new HttpError(400, `node ${dev.id} has no meter`);
			const scale = METER_SCALES[body.scale];
			if (scale === undefined || !caps.supportedScales.includes(scale)) {
				throw new HttpError(400, `unsupported scale ${JSON.stringify(body.scale)} for node ${dev.id}`);
			}
			const value = requireEncodable(requireNumber(body, "value"));
			// Without a rateType: consumed, except the Z-HAN2's scale 1, which uses the node's export
			// rate type. An explicit rateType only changes what goes on the wire.
			let rateType = defaultRateTypeFor(dev, body.scale);
			if (body.rateType !== undefined && body.rateType !== null) {
				if (typeof body.rateType !== "string" || !Object.hasOwn(RATE_TYPE_IDS, body.rateType)) {
					throw new HttpError(400, `"rateType" must be consumed|produced|unspecified`);
				}
				rateType = RATE_TYPE_IDS[body.rateType];
			}
			// The device state keeps consumed totals; the Z-HAN2's scale 1 register is the export
			// total whatever rate type its report carries
			const isExport = body.scale === EXPORT_SCALE && hasExportRegister(dev);
			if (isExport || rateType === RateType.Consumed) {
				dev.state.meters[body.scale] = value;
				dev.changed();
			}
			// silent: the register moves without a report (a real meter reports on its
			// interval); the next Meter Get answers with it
			if (body.silent === true) return { ok: true };
			await send(dev, new MeterCCReport({
				nodeId: controllerNodeId,
				type: caps.meterType ?? 1,
				scale,
				rateType,
				value,
				deltaTime: 0,
			}));
			return { ok: true };
		}],
		["POST", /^\/nodes\/(\d+)\/export$/, async (m, body) => {
			const dev = getDev(m[1]);
			if (!hasExportRegister(dev)) throw new HttpError(400, `node ${dev.id} has no export register`);
			if (!EXPORT_RATE_TYPES.includes(body.rateType)) {
				throw new HttpError(400, `"rateType" must be ${EXPORT_RATE_TYPES.join("|")}`);
			}
			dev.state.exportRateType = body.rateType;
			dev.changed();
			return { ok: true, exportRateType: dev.state.exportRateType };
		}],
		["POST", /^\/nodes\/(\d+)\/temperature$/, async (m, body) => {
			const dev = getDev(m[1]);
			if (dev.state.temperature === null) throw new HttpError(400, `node ${dev.id} has no temperature sensor`);
			// -999.9 is the Z-HAN2's "no reading" value (precision 1, 2 bytes on the wire)
			const value = requireEncodable(requireNumber(body, "value"));
			dev.state.temperature = value;
			dev.changed();
			await send(dev, new MultilevelSensorCCReport({ nodeId: controllerNodeId, type: 0x01, scale: 0x00, value }));
			return { ok: true };
		}],
		["POST", /^\/nodes\/(\d+)\/scene$/, async (m, body) => {
			const dev = getDev(m[1]);
			if (!dev.mockNode.implementedCCs.has(CommandClasses["Scene Activation"])) {
				throw new HttpError(400, `node ${dev.id} has no Scene Activation CC`);
			}
			const sceneId = requireNumber(body, "sceneId");
			if (!Number.isInteger(sceneId) || sceneId < 1 || sceneId > 255) {
				throw new HttpError(400, `"sceneId" must be an integer 1..255`);
			}
			await send(dev, new SceneActivationCCSet({ nodeId: controllerNodeId, sceneId }));
			return { ok: true };
		}],
		["POST", /^\/nodes\/(\d+)\/switch$/, async (m, body) => {
			const dev = getDev(m[1]);
			if (dev.state.switch === null) throw new HttpError(400, `node ${dev.id} has no switch`);
			if (typeof body.on !== "boolean") throw new HttpError(400, `"on" must be a boolean`);
			dev.setSwitch(body.on);
			await send(dev, new BinarySwitchCCReport({ nodeId: controllerNodeId, currentValue: body.on }));
			return { ok: true };
		}],
		["POST", /^\/nodes\/(\d+)\/config$/, async (m, body) => {
			const dev = getDev(m[1]);
			const paramNo = requireNumber(body, "param");
			const param = dev.params.find((p) => p["#"] === paramNo);
			if (!param) throw new HttpError(400, `node ${dev.id} has no parameter ${paramNo}`);
			const value = normalizeConfigValue(param, requireNumber(body, "value"));
			dev.state.config[String(paramNo)] = value;
			dev.changed();
			return { ok: true, param: paramNo, value };
		}],
	];

	const server = http.createServer(async (req, res) => {
		const reply = (status, obj) => {
			const data = JSON.stringify(obj ?? null);
			res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) });
			res.end(data);
		};
		try {
			const url = new URL(req.url ?? "/", "http://127.0.0.1");
			const pathMatches = routes.filter(([, re]) => re.test(url.pathname));
			if (!pathMatches.length) throw new HttpError(404, `no route ${url.pathname}`);
			const route = pathMatches.find(([method]) => method === req.method);
			if (!route) throw new HttpError(405, `method ${req.method} not allowed for ${url.pathname}`);
			const body = req.method === "POST" ? await readBody(req) : {};
			const result = await route[2](url.pathname.match(route[1]), body, url);
			reply(200, result);
		} catch (e) {
			const status = e instanceof HttpError ? e.status : 500;
			if (status >= 500) log(`control API error: ${e?.stack ?? e}`);
			reply(status, { error: e?.message ?? String(e) });
		}
	});
	return new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, "127.0.0.1", () => {
			server.off("error", reject);
			server.on("error", (e) => log(`control server error: ${e}`));
			resolve(server);
		});
	});
}
