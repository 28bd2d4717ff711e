// The facade: the controller's Host over the `vscode` API (the only module besides
// extension.ts that imports `vscode`).
import * as vscode from "vscode";
import type { Host, PickItem } from "./host";
import type { StatusView } from "./status";

export class VscodeHost implements Host {
  constructor(
    private readonly output: vscode.OutputChannel,
    private readonly item: vscode.StatusBarItem,
  ) {}

  getSetting(key: string): unknown {
    return vscode.workspace.getConfiguration().get(key);
  }

  async updateSetting(key: string, value: unknown): Promise<void> {
    const config = vscode.workspace.getConfiguration();
    const where = config.inspect(key);
    const target =
      where?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : where?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await config.update(key, value, target);
  }

  async updateWorkspaceSetting(key: string, value: unknown): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration().update(key, value, target);
  }

  activeFile(): string | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== "file") return undefined;
    return vscode.workspace.asRelativePath(uri, false).replace(/\\/g, "/");
  }

  async pick(items: PickItem[], placeholder: string): Promise<PickItem | undefined> {
    return vscode.window.showQuickPick(items, { placeHolder: placeholder });
  }

  info(message: string): void {
    void vscode.window.showInformationMessage(message);
  }

  error(message: string): void {
    this.output.appendLine(message);
    void vscode.window.showErrorMessage(message);
  }

  log(line: string): void {
    this.output.appendLine(line);
  }

  showLog(): void {
    this.output.show(true);
  }

  async showDocument(content: string, language: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ content, language });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  executeCommand(id: string): Promise<unknown> {
    return Promise.resolve(vscode.commands.executeCommand(id));
  }

  setStatus(view: StatusView): void {
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.show();
  }
}
