import QtQuick
import QtWebEngine

// The session's app (docs/app-api.md): its page in a web view that can go nowhere but
// the app's own origin. `session` is the daemon's SessionView for it: the page's
// off-the-record profile, its web channel and its start URL.
//
// Everything the page could use to reach past its origin or the screen is refused here
// or in the profile: other pages and frames, new windows, downloads, permissions
// (camera, microphone, location, notifications, screen capture), clipboard access,
// file pickers and the page's alert/confirm/prompt dialogs.
Item {
    id: appView

    required property QtObject session
    property Item webView: null

    // "kiosk-app://<app>/": every URL of the app starts so, and nothing else does.
    property string originPrefix

    function isOwnOrigin(url) {
        return originPrefix.length > 0 && String(url).startsWith(originPrefix)
    }

    function refuse(what) {
        if (session)
            session.refuse(what)
    }

    // The web view is made here, not declared: its profile has to be set before it
    // makes its page, and nothing in it may follow `session` once the session is gone
    // (the view can outlive it by a moment while the screen lets go of it).
    Component.onCompleted: {
        const start = String(session.url)
        originPrefix = start.substring(0, start.indexOf("/", start.indexOf("//") + 2) + 1)
        webView = webViewComponent.createObject(appView, {
            profile: session.profile,
            webChannel: session.channel
        })
        session.attachView(webView)
        webView.url = session.url
    }

    Component {
        id: webViewComponent

        WebEngineView {
            id: view
            objectName: "appWebView"
            anchors.fill: parent
            focus: true
            // What shows until the page paints its own.
            backgroundColor: Theme.backgroundBottom

            settings.javascriptCanOpenWindows: false
            settings.javascriptCanAccessClipboard: false
            settings.javascriptCanPaste: false
            settings.localStorageEnabled: true
            settings.localContentCanAccessFileUrls: false
            settings.localContentCanAccessRemoteUrls: false
            settings.allowRunningInsecureContent: false
            settings.allowGeolocationOnInsecureOrigins: false
            settings.allowWindowActivationFromJavaScript: false
            settings.pluginsEnabled: false
            settings.pdfViewerEnabled: false
            settings.fullScreenSupportEnabled: false
            settings.screenCaptureEnabled: false
            settings.hyperlinkAuditingEnabled: false
            settings.dnsPrefetchEnabled: false
            settings.navigateOnDropEnabled: false
            settings.autoLoadIconsForPage: false
            settings.touchIconsEnabled: false
            settings.webRTCPublicInterfacesOnly: true
            settings.unknownUrlSchemePolicy: WebEngineSettings.DisallowUnknownUrlSchemes

            onNavigationRequested: function(request) {
                // Frames may also hold nothing at all (about:blank, srcdoc).
                const url = String(request.url)
                if (appView.isOwnOrigin(url) || (!request.isMainFrame && url.startsWith("about:")))
                    return
                request.reject()
                appView.refuse(request.isMainFrame ? "a navigation away from the app"
                                                   : "a frame from outside the app")
            }
            // Not opened anywhere: the request lapses.
            onNewWindowRequested: function(request) {
                appView.refuse("a new window")
            }
            onFeaturePermissionRequested: function(securityOrigin, feature) {
                view.grantFeaturePermission(securityOrigin, feature, false)
                appView.refuse("a permission request")
            }
            onJavaScriptDialogRequested: function(request) {
                request.accepted = true
                // Leaving must always work (the watchdog reloads), so "leave this page?"
                // says yes; alert, confirm and prompt return as if dismissed.
                if (request.type === JavaScriptDialogRequest.DialogTypeBeforeUnload) {
                    request.dialogAccept()
                } else {
                    request.dialogReject()
                    appView.refuse("a dialog")
                }
            }
            onFileDialogRequested: function(request) {
                request.accepted = true
                request.dialogReject()
                appView.refuse("a file dialog")
            }
            onColorDialogRequested: function(request) {
                request.accepted = true
                request.dialogReject()
            }
            onAuthenticationDialogRequested: function(request) {
                request.accepted = true
                request.dialogReject()
                appView.refuse("a password dialog")
            }
            onContextMenuRequested: function(request) {
                request.accepted = true
            }
            onTouchSelectionMenuRequested: function(request) {
                request.accepted = true
            }
            onFullScreenRequested: function(request) {
                request.reject()
            }
            onRegisterProtocolHandlerRequested: function(request) {
                request.reject()
                appView.refuse("a protocol handler")
            }
            onFileSystemAccessRequested: function(request) {
                request.reject()
                appView.refuse("file system access")
            }
            onSelectClientCertificate: function(clientCertSelection) {
                clientCertSelection.selectNone()
            }
            onCertificateError: function(error) {
                error.rejectCertificate()
            }
            // Handled, so that Qt does not log it: a page's console may hold the user's data.
            onJavaScriptConsoleMessage: function(level, message, lineNumber, sourceID) {
            }
            onRenderProcessTerminated: function(terminationStatus, exitCode) {
                if (appView.session)
                    appView.session.renderProcessTerminated(terminationStatus, exitCode)
            }

            signal refused(string what)
            onRefused: what => appView.refuse(what)
            function refuseDownload(download) {
                download.cancel()
                view.refused("a download")
            }
            Component.onCompleted: profile.downloadRequested.connect(refuseDownload)
            Component.onDestruction: profile.downloadRequested.disconnect(refuseDownload)
        }
    }
}
