// What the controller needs from the editor. The one implementation over `vscode` is
// vscodeHost.ts; unit tests pass a fake, so that no test needs VS Code.
import type { RequestMethod } from "./lsp_ext";
import type { StatusView } from "./status";

export interface PickItem {
  id: string;
  label: string;
  description?: string;
  detail?: string;
}

export interface Host {
  /** A full setting name, e.g. `wattcode.completion.enabled`. */
  getSetting(key: string): unknown;
  /** Writes where the setting is already set (folder, workspace), else in the user settings. */
  updateSetting(key: string, value: unknown): Promise<void>;
  /** Writes in the workspace's settings (the user's when no folder is open). */
  updateWorkspaceSetting(key: string, value: unknown): Promise<void>;
  /** The active editor's file, relative to its workspace folder (`/`-separated); undefined
   * when no file is active. */
  activeFile(): string | undefined;
  pick(items: PickItem[], placeholder: string): Promise<PickItem | undefined>;
  info(message: string): void;
  error(message: string): void;
  log(line: string): void;
  showLog(): void;
  showDocument(content: string, language: string): Promise<void>;
  executeCommand(id: string): Promise<unknown>;
  setStatus(view: StatusView): void;
}

/** The running language client, as far as the controller needs it. */
export interface ServerLink {
  running(): boolean;
  /** One of wattcode's custom requests (lsp_ext.ts), which take no params. The result is as it
   * came over the wire, from a server of any version: read it with `received`. */
  request(method: RequestMethod): Promise<unknown>;
  restart(): Promise<void>;
}
