-- wattcode for Neovim, no plugin needed (Neovim 0.7 and later).
-- Save as ~/.config/nvim/lua/wattcode.lua and add to init.lua:
--   require("wattcode").setup()
-- or with options:
--   require("wattcode").setup({ cmd = { "/path/to/venv/bin/wattcode", "serve" },
--                               settings = { completion = { maxTokens = 32 } } })
-- Ask for a suggestion with <C-x><C-o> (omnifunc), or let nvim-cmp / blink.cmp show it;
-- K (vim.lsp.buf.hover) on a suggested line shows what it cost.
local M = {}

M.filetypes = { "python", "javascript", "typescript", "go", "rust", "c", "cpp", "java", "lua", "sh" }

local function config(opts)
  local settings = { wattcode = opts.settings or {} }
  return {
    name = "wattcode",
    cmd = opts.cmd or { "wattcode", "serve" },
    root_dir = opts.root_dir or vim.fn.getcwd(),
    -- Sent at start-up and answered again when the server pulls workspace/configuration.
    init_options = settings,
    settings = settings,
  }
end

local client_id -- Neovim 0.7 only: one client, attached to each buffer

--- Start wattcode for `bufnr` (or attach it to the running one). Returns the client id.
function M.attach(bufnr, opts)
  opts = opts or M.options or {}
  vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
  if vim.lsp.start then -- 0.8+: reuses a running client with the same name and root
    return vim.lsp.start(config(opts), { bufnr = bufnr })
  end
  if not client_id or not vim.lsp.get_client_by_id(client_id) then
    client_id = vim.lsp.start_client(config(opts))
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  return client_id
end

function M.setup(opts)
  M.options = opts or {}
  if vim.fn.executable((M.options.cmd or { "wattcode" })[1]) ~= 1 then
    vim.notify("wattcode: the `wattcode` command was not found; install it (pipx install wattcode) "
      .. "or pass cmd = { '/path/to/wattcode', 'serve' }", vim.log.levels.WARN)
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    pattern = M.options.filetypes or M.filetypes,
    callback = function(args) M.attach(args.buf) end,
  })
end

return M
