;;; emacs_check.el --- run by tests/editors/test_emacs.py in a real `emacs --batch'  -*- lexical-binding: t -*-
;; Loads the documented snippet, opens a Python file, starts eglot with the contact the snippet
;; configured, and asks for completion and hover; writes what came back as JSON.
(require 'package)
(package-initialize)
(require 'eglot)
(require 'json)
(load (getenv "WATTCODE_SNIPPET"))
(defun wattcode-check--write (result)
  (with-temp-file (getenv "WATTCODE_EMACS_OUT") (insert (json-encode result))))
(condition-case err
    (progn
      (find-file (getenv "WATTCODE_FILE"))
      (python-mode)
      (goto-char (point-max))
      (let* ((contact (eglot--guess-contact))
             (program (car (nth 3 contact))))
        (apply #'eglot contact)
        (let* ((server (eglot-current-server))
               (params (eglot--TextDocumentPositionParams))
               (completion (jsonrpc-request server :textDocument/completion params :timeout 240))
               (hover (jsonrpc-request server :textDocument/hover params :timeout 30)))
          (wattcode-check--write
           (list (cons "emacs" emacs-version)
                 (cons "program" program)
                 (cons "completion" completion)
                 (cons "hover" hover)))
          (eglot-shutdown server))))
  (error (wattcode-check--write (list (cons "error" (format "%S" err))))))
;;; emacs_check.el ends here
