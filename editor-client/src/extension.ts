// Entry point: starts `wattcode serve` over stdio with vscode-languageclient (LSP 3.18 inline
// completion), forwards the `wattcode` settings and wires the commands and the status bar.
import * as fs from "node:fs";
import * as vscode from "vscode";
import { LanguageClient, State, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { resolveServerCommand, SECTION, serverSettings, type Manifest } from "./config";
import { Controller } from "./controller";
import { STATUS } from "./lsp_ext";
import { VscodeHost } from "./vscodeHost";

let client: LanguageClient | undefined;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const manifest = context.extension.packageJSON as Manifest;
  const clientOnly = manifest.wattcodeClient.clientOnlySettings;
  const output = vscode.window.createOutputChannel("wattcode", { log: true });
  const item = vscode.window.createStatusBarItem("wattcode.status", vscode.StatusBarAlignment.Right, 100);
  item.name = "wattcode";
  item.command = "wattcode.menu";
  const host = new VscodeHost(output, item);
  const controller = new Controller(
    host,
    {
      running: () => client?.state === State.Running,
      request: (method) => client!.sendRequest(method, null),
      restart: () => restart(),
    },
    manifest,
  );
  controller.render();
  context.subscriptions.push(output, item, { dispose: () => controller.dispose() });

  const settingsForServer = () => serverSettings(vscode.workspace.getConfiguration().get(SECTION), clientOnly);

  const resolve = () => {
    const config = vscode.workspace.getConfiguration(SECTION);
    return resolveServerCommand(
      { command: config.get("server.command"), pythonEnvironment: config.get("server.pythonEnvironment") },
      { PATH: process.env.PATH, platform: process.platform, isExecutable },
    );
  };

  // `settleMs`: at activation the user's settings can arrive a moment after the extension host
  // starts (seen once in code-server under load: `server.command` read as its default), so a
  // failed lookup is retried for a few seconds before it is reported.
  async function start(settleMs = 0): Promise<void> {
    let resolved = resolve();
    for (let waited = 0; !resolved.ok && waited < settleMs; waited += 1000) {
      await new Promise((done) => setTimeout(done, 1000));
      if (client) return; // a settings change started the server meanwhile
      resolved = resolve();
    }
    if (!resolved.ok) {
      controller.setServerState("stopped");
      host.error(`wattcode: ${resolved.message}`);
      return;
    }
    output.appendLine(`starting ${resolved.command} ${resolved.args.join(" ")}`);
    const serverOptions: ServerOptions = { command: resolved.command, args: resolved.args };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
      outputChannel: output,
      initializationOptions: { [SECTION]: settingsForServer() },
      middleware: {
        // VS Code shows wattcode's suggestions as ghost text. Its completion list asks on every
        // keystroke too (quick suggestions), also while inline suggestions are snoozed, and
        // each of those requests would run the model and cancel the ghost text's: the list
        // gets no wattcode items here (other editors' completion menus still do).
        provideCompletionItem: () => [],
        workspace: {
          // The server pulls its section; it gets it without the client-only settings.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result; // an error response
            const values: unknown[] = result;
            return values.map((value, i) =>
              params.items[i]?.section === SECTION ? serverSettings(value, clientOnly) : value,
            );
          },
        },
      },
    };
    client = new LanguageClient("wattcode", "wattcode", serverOptions, clientOptions);
    client.onNotification(STATUS, (params: unknown) => controller.onStatus(params));
    const mine = client;
    mine.onDidChangeState(({ newState }) => {
      if (client !== mine) return; // an old client stopping during a restart
      controller.setServerState(
        newState === State.Running ? "running" : newState === State.Starting ? "starting" : "stopped",
      );
    });
    controller.setServerState("starting");
    try {
      await client.start();
    } catch (err) {
      controller.setServerState("stopped");
      host.error(`wattcode: the server did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async function restart(): Promise<void> {
    const old = client;
    client = undefined;
    if (old) await old.stop().catch(() => undefined);
    await start();
  }

  const command = (id: string, run: () => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run));
  command("wattcode.enable", () => controller.setEnabled(true));
  command("wattcode.disable", () => controller.setEnabled(false));
  command("wattcode.toggle", () => controller.toggle());
  command("wattcode.triggerSuggestion", () => controller.triggerSuggestion());
  command("wattcode.showStats", () => controller.showStats());
  command("wattcode.clearCaches", () => controller.clearCaches());
  command("wattcode.chooseBudget", () => controller.chooseBudget());
  command("wattcode.showLog", () => host.showLog());
  command("wattcode.menu", () => controller.menu());
  command("wattcode.restartServer", () => restart());
  command("wattcode.excludeFile", () => controller.excludeFile());

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      if (event.affectsConfiguration(`${SECTION}.server`)) {
        void restart();
        return;
      }
      controller.render();
      // Push the new section; the server also pulls it again (both without client-only keys).
      if (client?.state === State.Running) {
        void client.sendNotification("workspace/didChangeConfiguration", {
          settings: { [SECTION]: settingsForServer() },
        });
        if (event.affectsConfiguration(`${SECTION}.power`)) controller.onPowerSettingsChanged();
      }
    }),
  );
  await start(5000);
}

export async function deactivate(): Promise<void> {
  const old = client;
  client = undefined;
  await old?.stop();
}
