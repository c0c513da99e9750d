// Saves bytes sent by the circuit as a file: a blob URL clicked through a temporary link.
window.obsDownload = async (fileName, contentType, streamRef) => {
    const blob = new Blob([await streamRef.arrayBuffer()], { type: contentType });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
};
