-- Run by tests/editors/test_neovim.py in a real headless Neovim: the snippet from
-- editor-client/neovim/wattcode.lua starts the real server; completion and hover go through
-- Neovim's own LSP client. Writes what it saw as JSON to $WATTCODE_NVIM_OUT.
local out = os.getenv("WATTCODE_NVIM_OUT")
local function finish(result)
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  local wattcode = dofile(os.getenv("WATTCODE_SNIPPET"))
  wattcode.setup({
    cmd = { os.getenv("WATTCODE_BIN"), "serve", "--no-log-file" },
    settings = { completion = { maxTokens = 32 } },
  })
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("WATTCODE_FILE")))
  local attached = vim.wait(60000, function()
    local clients = vim.lsp.buf_get_clients(0)
    for _, c in pairs(clients) do
      if c.name == "wattcode" and c.server_capabilities ~= nil and c.initialized ~= false then
        return true
      end
    end
    return false
  end, 100)
  if not attached then error("wattcode did not attach to the buffer") end

  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local last = #lines
  local position = { line = last - 1, character = #lines[last] }
  local params = { textDocument = { uri = vim.uri_from_bufnr(0) }, position = position }
  local completion = vim.lsp.buf_request_sync(0, "textDocument/completion", params, 180000)
  local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 30000)
  local function first_result(responses)
    for _, r in pairs(responses or {}) do
      if r.err then return { error = r.err } end
      return r.result
    end
  end
  finish({
    version = tostring(vim.version().major) .. "." .. tostring(vim.version().minor),
    has_vim_lsp_start = vim.lsp.start ~= nil,
    omnifunc = vim.bo.omnifunc,
    completion = first_result(completion),
    hover = first_result(hover),
  })
end)
if not ok then finish({ error = tostring(err) }) end
