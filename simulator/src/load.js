// Load generator: nodes send unsolicited power (W) Meter Reports on a schedule, inside the
// process (no HTTP request per report). Each report's value is unique per node within a run
// (0.1 W steps from the node's current power), and the time it left the node is logged.
import fs from "node:fs";
import { MeterCCReport, RateType } from "zwave-js";
import { CommandClasses } from "@zwave-js/core";
import { createMockZWaveRequestFrame } from "@zwave-js/testing";
import { METER_SCALES } from "./devices.js";

// Power values run in 0.1 W steps from 0.1 to this, then start again at 0.1
const MAX_TENTHS = 50000; // 5000 W
// The mock nodes keep every frame they send and receive: forget them this often under load
const CLEAR_FRAMES_MS = 1000;

/** Wall-clock ms since the epoch, sub-millisecond (the clock of Python's time.time()) */
export const nowMs = () => performance.timeOrigin + performance.now();

export function createLoad({ devices, controllerNodeId, ws, log }) {
	let run; // the current or last run

	const nextTenths = (dev) => {
		let t = (dev.loadTenths ?? Math.round((dev.state.meters.W ?? 0) * 10)) + 1;
		if (t > MAX_TENTHS || t < 1) t = 1;
		dev.loadTenths = t;
		return t;
	};

	const writeLog = (r) => {
		if (!r.logPath || r.logWritten) return;
		const lines = ["node,value,sentAt,ackedAt,serverRunning"];
		for (let i = 0; i < r.sent; i++) {
			const acked = Number.isNaN(r.ackedAt[i]) ? "" : r.ackedAt[i].toFixed(3);
			lines.push(`${r.node[i]},${(r.tenths[i] / 10).toFixed(1)},${r.sentAt[i].toFixed(3)},${acked},${r.server[i]}`);
		}
		fs.writeFileSync(r.logPath, `${lines.join("\n")}\n`);
		r.logWritten = true;
	};

	// The last reports' ACKs can take this long (the mock's ACK timeout): wait for them
	const SETTLE_MS = 1100;

	const close = (r) => {
		for (const dev of r.devs) dev.changed(); // save the last power values
		try {
			writeLog(r);
		} catch (e) {
			r.logError = e.message;
			log(`load: could not write ${r.logPath}: ${e.message}`);
		}
		r.running = false;
		log(`load ${r.why}: ${r.sent} reports sent, ${r.ackTimeouts} without ACK`);
	};

	/** No more reports; the run ends (and its log is written) when the last ACKs are in. */
	const finish = (r, why, now = false) => {
		if (!r.running) return;
		clearTimeout(r.timer);
		if (!r.why) {
			r.why = why;
			r.endedAt = nowMs();
			r.timer = setTimeout(() => close(r), SETTLE_MS);
		}
		if (now) {
			clearTimeout(r.timer);
			close(r);
		}
	};

	const sendOne = (r, i) => {
		const dev = r.devs[i % r.devs.length];
		const tenths = nextTenths(dev);
		const value = tenths / 10;
		dev.state.meters.W = value;
		const cc = new MeterCCReport({
			nodeId: controllerNodeId,
			type: r.meterTypes.get(dev.id),
			scale: METER_SCALES.W,
			rateType: RateType.Consumed,
			value,
			deltaTime: 0,
		});
		r.node[i] = dev.id;
		r.tenths[i] = tenths;
		r.server[i] = ws.running ? 1 : 0;
		r.sentAt[i] = nowMs();
		r.sent = i + 1;
		// The ACK comes when the controller has the frame: the time on the mock radio, both ways
		dev.mockNode.sendToController(createMockZWaveRequestFrame(cc, { ackRequested: true })).then(
			() => {
				r.ackedAt[i] = nowMs();
			},
			() => {
				r.ackTimeouts++;
			},
		);
	};

	const tick = (r) => {
		if (!r.running || r.why) return;
		const elapsed = nowMs() - r.startedAt;
		const due = Math.min(r.total, Math.floor((elapsed * r.rate) / 1000) + 1);
		while (r.sent < due) sendOne(r, r.sent);
		if (elapsed - r.clearedAt >= CLEAR_FRAMES_MS) {
			r.clearedAt = elapsed;
			for (const dev of r.devs) {
				dev.mockNode.clearSentControllerFrames();
				dev.mockNode.clearReceivedControllerFrames();
			}
		}
		if (r.sent >= r.total) return finish(r, "done");
		const next = (r.sent * 1000) / r.rate;
		r.timer = setTimeout(() => tick(r), Math.max(0, next - (nowMs() - r.startedAt)));
	};

	return {
		/** Starts a run: {nodes: [ids] | "all", rate: reports/s in total, seconds, log?: path} */
		start({ nodes, rate, seconds, log: logPath }) {
			if (run?.running) throw new Error("a load is running: stop it first");
			const ids = nodes === "all" || nodes === undefined ? [...devices.keys()] : nodes;
			if (!Array.isArray(ids) || !ids.length) throw new Error(`"nodes" must be "all" or a list of node ids`);
			const devs = ids.map((id) => {
				const dev = devices.get(id);
				if (!dev) throw new Error(`unknown node ${id}`);
				if (!dev.mockNode.getCCCapabilities(CommandClasses.Meter)) throw new Error(`node ${id} has no meter`);
				return dev;
			});
			if (!(rate > 0) || !(seconds > 0)) throw new Error(`"rate" and "seconds" must be positive numbers`);
			const total = Math.ceil(rate * seconds);
			if (total > 10_000_000) throw new Error(`${total} reports are too many for one run`);
			if (logPath !== undefined && typeof logPath !== "string") throw new Error(`"log" must be a path`);
			const meterTypes = new Map(devs.map((d) => [d.id, d.mockNode.getCCCapabilities(CommandClasses.Meter).meterType ?? 1]));
			run = {
				devs,
				meterTypes,
				rate,
				total,
				logPath,
				running: true,
				sent: 0,
				ackTimeouts: 0,
				clearedAt: 0,
				startedAt: nowMs(),
				node: new Uint8Array(total),
				tenths: new Int32Array(total),
				sentAt: new Float64Array(total),
				ackedAt: new Float64Array(total).fill(Number.NaN),
				server: new Uint8Array(total),
			};
			log(`load: ${total} reports from ${devs.length} nodes at ${rate}/s`);
			tick(run);
			return this.status();
		},
		/** Ends the run; `now`: without waiting for the last ACKs (at shutdown) */
		stop(now = false) {
			if (run) finish(run, "stopped", now);
			return this.status();
		},
		status() {
			if (!run) return { running: false, sent: 0 };
			return {
				running: run.running,
				why: run.why ?? null,
				total: run.total,
				sent: run.sent,
				ackTimeouts: run.ackTimeouts,
				rate: run.rate,
				nodes: run.devs.length,
				startedAt: run.startedAt,
				endedAt: run.endedAt ?? null,
				log: run.logPath ?? null,
				logWritten: !!run.logWritten,
				logError: run.logError ?? null,
			};
		},
	};
}
