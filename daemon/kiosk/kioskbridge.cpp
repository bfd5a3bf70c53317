#include "kioskbridge.h"

#include "sessionview.h"

KioskBridge::KioskBridge(SessionView *view)
    : m_view(view)
{
}

QVariantMap KioskBridge::attach()
{
    return m_view ? m_view->pageAttach() : QVariantMap();
}

void KioskBridge::listen()
{
    if (m_view)
        m_view->pageListens();
}

void KioskBridge::stanzasHandled(int batch)
{
    if (m_view)
        m_view->pageHandledBatch(batch);
}

void KioskBridge::send(int requestId, const QString &xml)
{
    if (m_view)
        m_view->pageSends(requestId, xml);
}

void KioskBridge::end()
{
    if (m_view)
        m_view->pageEnds();
}

void KioskBridge::pong(int serial)
{
    if (m_view)
        m_view->pagePong(serial);
}

void KioskBridge::snapshotDone(int requestId, const QVariantMap &files, const QString &error)
{
    if (m_view)
        m_view->pageSnapshotDone(requestId, files, error);
}
